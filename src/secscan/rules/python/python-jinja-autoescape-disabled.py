import jinja2
from flask import Flask

app = Flask(__name__)

# ruleid: python-jinja-autoescape-disabled
env = jinja2.Environment(loader=jinja2.FileSystemLoader("templates"))
# ruleid: python-jinja-autoescape-disabled
raw_env = jinja2.Environment(autoescape=False)
# ruleid: python-jinja-autoescape-disabled
app.jinja_env.autoescape = False
# ok: python-jinja-autoescape-disabled
safe_env = jinja2.Environment(autoescape=jinja2.select_autoescape(["html", "xml"]))
# ok: python-jinja-autoescape-disabled
on_env = jinja2.Environment(loader=jinja2.FileSystemLoader("templates"), autoescape=True)


def build(options):
    # ok: python-jinja-autoescape-disabled
    return jinja2.Environment(**options)
