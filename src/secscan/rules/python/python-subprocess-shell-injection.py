import shlex
import subprocess

from flask import Flask, request

app = Flask(__name__)


def cmd_lab(request):
    domain = request.POST.get("domain")
    command = "dig {}".format(domain)
    # ruleid: python-subprocess-shell-injection
    process = subprocess.Popen(command, shell=True, stdout=subprocess.PIPE)
    # ok: python-subprocess-shell-injection
    subprocess.run(["dig", "--", domain], check=True)
    # ok: python-subprocess-shell-injection
    subprocess.run("dig " + shlex.quote(domain), shell=True)
    return process


@app.post("/archive")
def archive():
    name = request.form["name"]
    # ruleid: python-subprocess-shell-injection
    return subprocess.getoutput("tar czf /tmp/out.tgz " + name)


def build(target):
    # Program input, not request data.
    # ok: python-subprocess-shell-injection
    subprocess.check_call("make " + target, shell=True)
