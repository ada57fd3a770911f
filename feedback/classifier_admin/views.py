from flask import Blueprint

bp = Blueprint("classifier_admin", __name__, template_folder="templates", cli_group="classifier")
