import shlex
import subprocess
from subprocess import Popen


def ping(host):
    # ruleid: python-subprocess-shell-injection
    subprocess.run("ping -c 1 " + host, shell=True, check=True)


def archive(name):
    cmd = f"tar czf /tmp/{name}.tgz /srv/data"
    # ruleid: python-subprocess-shell-injection
    return subprocess.check_output(cmd, shell=True)


def popen_imported(path):
    # ruleid: python-subprocess-shell-injection
    Popen("cat %s" % path, shell=True)


def getoutput(user):
    # ruleid: python-subprocess-shell-injection
    return subprocess.getoutput("id " + user)


def constant_shell():
    # ok: python-subprocess-shell-injection
    subprocess.run("ls -la /tmp | wc -l", shell=True)


def list_form(host):
    # ok: python-subprocess-shell-injection
    subprocess.run(["ping", "-c", "1", host], check=True)


def no_shell(cmd):
    # ok: python-subprocess-shell-injection
    subprocess.call(cmd, shell=False)


def quoted(path):
    # ok: python-subprocess-shell-injection
    subprocess.run(shlex.join(["cat", path]), shell=True)
