from flask import Flask

# ruleid: python-session-cookie-httponly-disabled
SESSION_COOKIE_HTTPONLY = False
# ok: python-session-cookie-httponly-disabled
SESSION_COOKIE_SECURE = False
# ok: python-session-cookie-httponly-disabled
CSRF_COOKIE_HTTPONLY = True

app = Flask(__name__)
# ruleid: python-session-cookie-httponly-disabled
app.config["SESSION_COOKIE_HTTPONLY"] = False
