from flask import Flask, request, session

app = Flask(__name__)


@app.route("/prefs", methods=["POST"])
def prefs():
    # ruleid: python-trust-boundary-session
    session["role"] = request.form["role"]
    # ok: python-trust-boundary-session
    session["page_size"] = int(request.form["page_size"])
    return "ok"


def set_user(request):
    uid = request.GET.get("uid")
    # ruleid: python-trust-boundary-session
    request.session["user_id"] = uid
    # ok: python-trust-boundary-session
    request.session["visited"] = True
