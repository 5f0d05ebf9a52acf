from flask import Flask

# ruleid: python-session-cookie-insecure-setting
SESSION_COOKIE_SECURE = False
# ruleid: python-session-cookie-insecure-setting
CSRF_COOKIE_SECURE = False
# ok: python-session-cookie-insecure-setting
SESSION_COOKIE_HTTPONLY = False
# ok: python-session-cookie-insecure-setting
SESSION_COOKIE_SAMESITE = "Lax"

app = Flask(__name__)
# ruleid: python-session-cookie-insecure-setting
app.config["SESSION_COOKIE_SECURE"] = False
# ok: python-session-cookie-insecure-setting
app.config["SESSION_COOKIE_SECURE"] = True
