import os

from flask import Flask

app = Flask(__name__)


def configure():
    # ruleid: python-flask-debug-enabled
    app.config["DEBUG"] = True
    # ruleid: python-flask-debug-enabled
    app.debug = True


if __name__ == "__main__":
    # ruleid: python-flask-debug-enabled
    app.run(host="0.0.0.0", port=5000, debug=True)


def run_prod():
    # ok: python-flask-debug-enabled
    app.run(host="0.0.0.0", port=8080)


def run_no_debug():
    # ok: python-flask-debug-enabled
    app.run(debug=False)


def run_from_env():
    # ok: python-flask-debug-enabled
    app.run(debug=os.environ.get("FLASK_DEBUG") == "1")
