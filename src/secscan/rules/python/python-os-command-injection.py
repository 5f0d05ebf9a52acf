import os
import shlex

from flask import Flask, request

app = Flask(__name__)


@app.route("/ping")
def ping():
    host = request.args.get("host")
    # ruleid: python-os-command-injection
    os.system("ping -c 1 " + host)
    # ok: python-os-command-injection
    os.system("ping -c 1 " + shlex.quote(host))
    return "ok"


def django_view(request):
    name = request.GET["name"]
    # ruleid: python-os-command-injection
    out = os.popen(f"ls {name}").read()
    return out


def maintenance(path):
    # Not request data.
    # ok: python-os-command-injection
    os.system("rm -rf " + path)


def constants():
    # ok: python-os-command-injection
    os.system("uptime")
