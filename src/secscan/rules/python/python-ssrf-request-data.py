import urllib.request

import requests
from flask import Flask, request

app = Flask(__name__)

ALLOWED_FEEDS = {"news": "https://feeds.example.com/news.xml"}


@app.route("/proxy")
def proxy():
    url = request.args.get("url")
    # ruleid: python-ssrf-request-data
    return requests.get(url, timeout=5).text


@app.route("/webhook-test", methods=["POST"])
def webhook_test():
    target = request.get_json()["callback"]
    # ruleid: python-ssrf-request-data
    return urllib.request.urlopen(target).read()


def django_fetch(req):
    # ruleid: python-ssrf-request-data
    resp = requests.post(req.POST["endpoint"], json={"ping": True})
    return resp.status_code


@app.route("/search")
def search():
    term = request.args.get("q")
    # ok: python-ssrf-request-data
    return requests.get("https://api.example.com/search", params={"q": term}).text


@app.route("/user")
def user():
    user_id = request.args.get("id")
    # ok: python-ssrf-request-data
    return requests.get(f"https://api.example.com/users/{user_id}").text


def fixed_fetch():
    # ok: python-ssrf-request-data
    return requests.get(ALLOWED_FEEDS["news"], timeout=5).text


@app.route("/avatar")
def avatar():
    name = request.args.get("name")
    # ok: python-ssrf-request-data
    return requests.get("https://cdn.example.com/avatars/" + name).content


@app.route("/open")
def open_redirect_fetch():
    host = request.args.get("host")
    # ruleid: python-ssrf-request-data
    return requests.get(f"https://{host}/status").text
