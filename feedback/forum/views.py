from flask import Blueprint

bp = Blueprint("forum", __name__, template_folder="templates")
