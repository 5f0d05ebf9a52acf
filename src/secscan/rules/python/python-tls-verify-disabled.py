import httpx
import requests


def fetch(url):
    # ruleid: python-tls-verify-disabled
    return requests.get(url, timeout=10, verify=False)


def post(url, data):
    # ruleid: python-tls-verify-disabled
    return requests.request("POST", url, data=data, verify=False)


def client():
    # ruleid: python-tls-verify-disabled
    return httpx.Client(base_url="https://internal.example", verify=False)


def session_flag():
    s = requests.Session()
    # ruleid: python-tls-verify-disabled
    s.verify = False
    return s


def fetch_verified(url):
    # ok: python-tls-verify-disabled
    return requests.get(url, timeout=10)


def fetch_private_ca(url):
    # ok: python-tls-verify-disabled
    return requests.get(url, verify="/etc/ssl/certs/internal-ca.pem")


def explicit_true(url):
    # ok: python-tls-verify-disabled
    return httpx.get(url, verify=True)
