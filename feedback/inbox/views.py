from flask import Blueprint

bp = Blueprint("inbox", __name__, template_folder="templates", cli_group="inbox")
