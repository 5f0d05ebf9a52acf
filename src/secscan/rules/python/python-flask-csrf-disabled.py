from flask import Flask
from flask_wtf.csrf import CSRFProtect

app = Flask(__name__)
csrf = CSRFProtect(app)

# ruleid: python-flask-csrf-disabled
app.config["WTF_CSRF_ENABLED"] = False
# ok: python-flask-csrf-disabled
app.config["WTF_CSRF_ENABLED"] = True


# ruleid: python-flask-csrf-disabled
@csrf.exempt
@app.route("/hook", methods=["POST"])
def hook():
    return "ok"


# ok: python-flask-csrf-disabled
@app.route("/form", methods=["POST"])
def form():
    return "ok"
