import os
import shlex
import subprocess


def convert(filename):
    # ruleid: python-os-command-injection
    os.system("convert " + filename + " out.png")


def lookup(domain):
    # ruleid: python-os-command-injection
    return os.popen(f"nslookup {domain}").read()


def run_user_command(cmd):
    # ruleid: python-os-command-injection
    os.system(cmd)


def constant_command():
    # ok: python-os-command-injection
    os.system("clear")


def constant_popen():
    # ok: python-os-command-injection
    return os.popen("uname -a").read()


def argv_form(domain):
    # ok: python-os-command-injection
    subprocess.run(["nslookup", domain], check=True)


def quoted(path):
    # ok: python-os-command-injection
    os.system(shlex.join(["wc", "-l", path]))
