"""A git repository built at run time with known problems planted in it."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from canaries import Canary, aws_access_key_id, github_pat, gitlab_pat, private_key, slack_bot_token, stripe_live_key
from support.trivy_db import Advisory, write_trivy_db

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.invalid",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.invalid",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}

APP_PY = """\
import sqlite3
import subprocess

from flask import Flask, request

app = Flask(__name__)


@app.route("/user")
def find_user():
    name = request.args["name"]
    cursor = sqlite3.connect("app.db").cursor()
    cursor.execute(f"SELECT * FROM users WHERE name = '{name}'")
    return str(cursor.fetchall())


@app.route("/ping")
def ping():
    status = subprocess.call("ping -c 1 " + request.args["host"], shell=True)
    return "up" if status == 0 else "down"


@app.route("/calc")
def calculate():
    result = eval(request.args["expression"])
    return {"result": result}
"""
# The bundled injection rules follow request data (taint), so the planted code is a Flask app.
SQL_LINE, SHELL_LINE, EVAL_LINE = 13, 19, 25

DOCKERFILE = (
    'FROM ubuntu:latest\nRUN apt-get update && apt-get install -y curl\nCOPY . /app\nCMD ["python3", "/app/app.py"]\n'
)

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: nginx:1.25
          securityContext:
            privileged: true
"""

TERRAFORM = """\
resource "aws_security_group" "web" {
  name        = "web"
  description = "web"
}

resource "aws_security_group_rule" "all_out" {
  type              = "egress"
  from_port         = 0
  to_port           = 0
  protocol          = "-1"
  cidr_blocks       = ["0.0.0.0/0"]
  security_group_id = aws_security_group.web.id
  description       = "all out"
}
"""

ADVISORIES = [
    Advisory(
        "pip",
        "requests",
        "CVE-2018-18074",
        fixed_version="2.20.0",
        severity="HIGH",
        title="requests: Authorization header leaked on redirect (secscan test DB)",
    ),
    Advisory(
        "pip",
        "jinja2",
        "CVE-2019-10906",
        fixed_version="2.10.1",
        severity="HIGH",
        title="jinja2: sandbox escape via str.format_map (secscan test DB)",
    ),
    Advisory(
        "pip",
        "pyyaml",
        "CVE-2020-14343",
        fixed_version="5.4",
        severity="CRITICAL",
        title="pyyaml: arbitrary code execution in full_load (secscan test DB)",
    ),
]


@dataclass
class PlantedRepo:
    path: Path
    trivy_cache: Path
    head_secrets: dict[str, Canary] = field(default_factory=dict)
    history_secret: Canary | None = None

    @property
    def all_secrets(self) -> list[Canary]:
        return [*self.head_secrets.values(), *([self.history_secret] if self.history_secret else [])]


def git(path: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(path), *args], check=True, capture_output=True, text=True, env={**os.environ, **GIT_ENV}
    )
    return done.stdout.strip()


def build(root: Path) -> PlantedRepo:
    repo = root / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    planted = PlantedRepo(path=repo, trivy_cache=root / "trivy-cache")
    write_trivy_db(planted.trivy_cache, ADVISORIES)

    # First commit: a settings file with a live Stripe key, deleted again later (history only).
    history = stripe_live_key()
    planted.history_secret = history
    (repo / "legacy_settings.py").write_text(f'STRIPE_KEY = "{history.value}"\n')
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "legacy settings")
    (repo / "legacy_settings.py").unlink()
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "drop legacy settings")

    aws, github, slack, gitlab, key = aws_access_key_id(), github_pat(), slack_bot_token(), gitlab_pat(), private_key()
    planted.head_secrets = {
        "config.py": aws,
        ".env": github,
        "notify.py": slack,
        "deploy/ci.env": gitlab,
        "keys/deploy.pem": key,
    }
    (repo / "config.py").write_text(f'AWS_ACCESS_KEY_ID = "{aws.value}"\nREGION = "eu-west-1"\n')
    (repo / ".env").write_text(f"GITHUB_TOKEN={github.value}\n")
    (repo / "notify.py").write_text(f'import os\n\nSLACK_TOKEN = "{slack.value}"\n')
    (repo / "deploy").mkdir()
    (repo / "deploy" / "ci.env").write_text(f"GITLAB_TOKEN={gitlab.value}\n")
    (repo / "keys").mkdir()
    (repo / "keys" / "deploy.pem").write_text(key.value + "\n")
    (repo / "app.py").write_text(APP_PY)
    (repo / "Dockerfile").write_text(DOCKERFILE)
    (repo / "k8s").mkdir()
    (repo / "k8s" / "deployment.yaml").write_text(DEPLOYMENT)
    (repo / "infra").mkdir()
    (repo / "infra" / "main.tf").write_text(TERRAFORM)
    (repo / "requirements.txt").write_text("requests==2.19.0\njinja2==2.10\npyyaml==5.3.1\nflask==3.0.3\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "app")
    return planted
