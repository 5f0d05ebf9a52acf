import requests
import urllib.request
from flask import Flask, request

app = Flask(__name__)


@app.route("/fetch")
def fetch():
    url = request.args.get("url")
    # ruleid: python-ssrf-request-data
    return requests.get(url).text


@app.route("/user")
def user():
    uid = request.args.get("id")
    # ok: python-ssrf-request-data
    return requests.get(f"https://api.example.com/users/{uid}").text


def proxy(request):
    target = request.POST["target"]
    # ruleid: python-ssrf-request-data
    return urllib.request.urlopen(target).read()


def health(url):
    # ok: python-ssrf-request-data
    return requests.get(url, timeout=5)
