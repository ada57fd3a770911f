"""The baseline every web benchmark is compared with: a bare Flask "hello world"."""

from flask import Flask

app = Flask(__name__)


@app.route("/")
def hello():
    return "Hello, World!"


@app.route("/healthz")
def healthz():
    return "ok"
