import jinja2
from django.template import Template
from flask import Flask, render_template_string, request

app = Flask(__name__)


@app.route("/hello")
def hello():
    name = request.args.get("name", "")
    # ruleid: python-template-injection
    page = render_template_string("<h1>Hello " + name + "</h1>")
    # ok: python-template-injection
    safe = render_template_string("<h1>Hello {{ name }}</h1>", name=name)
    return page + safe


def django_view(request):
    # ruleid: python-template-injection
    tpl = Template(request.POST["tpl"])
    # ok: python-template-injection
    fixed = Template("{{ value }}")
    return tpl, fixed


def jinja_view(request):
    env = jinja2.Environment(autoescape=True)
    # ruleid: python-template-injection
    return env.from_string(request.GET["body"]).render()


def admin_template(source):
    # Program input, not request data.
    # ok: python-template-injection
    return jinja2.Template(source)
