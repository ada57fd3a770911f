from flask import Blueprint

bp = Blueprint("moderation", __name__, template_folder="templates")
