import os

from flask import Flask, request, send_file, send_from_directory
from werkzeug.utils import secure_filename

app = Flask(__name__)
BASE = "/srv/reports"


@app.route("/download")
def download():
    name = request.args.get("file")
    # ruleid: python-path-traversal-request-data
    return send_file(os.path.join(BASE, name))


@app.route("/read")
def read():
    path = request.args["path"]
    # ruleid: python-path-traversal-request-data
    with open(path) as fh:
        return fh.read()


def django_view(req):
    # ruleid: python-path-traversal-request-data
    with open("/var/data/" + req.GET["name"], "rb") as fh:
        return fh.read()


@app.route("/safe-download")
def safe_download():
    name = request.args.get("file")
    # ok: python-path-traversal-request-data
    return send_from_directory(BASE, name)


@app.route("/upload", methods=["POST"])
def upload():
    name = secure_filename(request.form["name"])
    # ok: python-path-traversal-request-data
    with open(os.path.join(BASE, name), "wb") as fh:
        fh.write(request.get_data())
    return "ok"


@app.route("/report")
def report():
    # ok: python-path-traversal-request-data
    with open(os.path.join(BASE, "summary.txt")) as fh:
        return fh.read()
