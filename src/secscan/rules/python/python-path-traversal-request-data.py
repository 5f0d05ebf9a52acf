import os

from flask import Flask, request, send_file
from werkzeug.utils import secure_filename

app = Flask(__name__)


@app.route("/download")
def download():
    name = request.args.get("file")
    # ruleid: python-path-traversal-request-data
    return send_file(os.path.join("/srv/files", name))


@app.route("/download2")
def download2():
    name = request.args.get("file")
    # ok: python-path-traversal-request-data
    return send_file(os.path.join("/srv/files", secure_filename(name)))


def read_view(request):
    filename = request.GET["name"]
    # ruleid: python-path-traversal-request-data
    with open("/var/data/" + filename) as fh:
        return fh.read()


def read_basename(request):
    filename = request.GET["name"]
    # ok: python-path-traversal-request-data
    with open(os.path.join("/var/data", os.path.basename(filename))) as fh:
        return fh.read()


def read_config(path):
    # ok: python-path-traversal-request-data
    return open(path).read()
