from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from flask import Flask, request, url_for
from flask import redirect as flask_redirect

app = Flask(__name__)


def login_done(request):
    nxt = request.GET.get("next")
    # ruleid: python-open-redirect
    return HttpResponseRedirect(nxt)


def login_checked(request):
    nxt = request.GET.get("next")
    if not url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        nxt = "/"
    # ok: python-open-redirect
    return redirect(nxt)


@app.route("/go")
def go():
    # ruleid: python-open-redirect
    return flask_redirect(request.args["to"])


@app.route("/go2")
def go2():
    page = request.args["page"]
    # ok: python-open-redirect
    return flask_redirect(url_for("show", page=page))


def back(request):
    # ok: python-open-redirect
    return HttpResponseRedirect(request.get_full_path())
