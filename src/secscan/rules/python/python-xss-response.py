from django.http import HttpResponse
from django.utils.html import escape
from flask import Flask, make_response, render_template, request

app = Flask(__name__)


def search(request):
    q = request.GET.get("q", "")
    # ruleid: python-xss-response
    return HttpResponse("<p>Results for " + q + "</p>")


def search_safe(request):
    q = request.GET.get("q", "")
    # ok: python-xss-response
    return HttpResponse("<p>Results for " + escape(q) + "</p>")


@app.route("/greet")
def greet():
    name = request.args.get("name")
    # ruleid: python-xss-response
    return f"<h1>Hello {name}</h1>"


@app.route("/greet2")
def greet2():
    name = request.args.get("name")
    # ok: python-xss-response
    return render_template("greet.html", name=name)


@app.route("/greet3")
def greet3():
    # ruleid: python-xss-response
    return make_response("Hi " + request.cookies.get("who", ""))


def status(version):
    # ok: python-xss-response
    return HttpResponse("version " + version)
