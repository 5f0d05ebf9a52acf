import os

from flask import Flask

# ruleid: python-hardcoded-secret-key
SECRET_KEY = "dev-only-not-a-secret"

app = Flask(__name__)
# ruleid: python-hardcoded-secret-key
app.config["SECRET_KEY"] = "changeme"
# ruleid: python-hardcoded-secret-key
app.secret_key = "dev-only-not-a-secret"
# ruleid: python-hardcoded-secret-key
app.config.update(SECRET_KEY="placeholder-value", DEBUG=False)

# ok: python-hardcoded-secret-key
SECRET_KEY = os.environ["SECRET_KEY"]
# ok: python-hardcoded-secret-key
app.config["SECRET_KEY"] = os.environ.get("FLASK_SECRET_KEY")
# ok: python-hardcoded-secret-key
app.secret_key = ""
# ok: python-hardcoded-secret-key
SECRET_KEY_ENV_VAR = "APP_SECRET_KEY"
