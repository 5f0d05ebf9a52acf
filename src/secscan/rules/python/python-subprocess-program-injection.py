import subprocess

from flask import Flask, request

app = Flask(__name__)


@app.route("/run")
def run():
    tool = request.args["tool"]
    # ruleid: python-subprocess-program-injection
    subprocess.run([tool, "--version"])
    # ruleid: python-subprocess-program-injection
    subprocess.Popen(request.args.get("cmd"))
    # ok: python-subprocess-program-injection
    subprocess.run(["git", "log", "--", tool])
    return "ok"


def django_view(request):
    arg = request.GET["q"]
    # ok: python-subprocess-program-injection
    subprocess.check_output(["grep", "-F", "--", arg, "data.txt"])
