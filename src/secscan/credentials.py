"""The credentials secscan itself uses (the model endpoint, Slack): read once at the edge, then passed
explicitly. Scanners never receive them (they run with `scanners.process.scanner_environment`)."""

from __future__ import annotations

import os
from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict, SecretStr


def _value(environ: Mapping[str, str], name: str) -> str | None:
    return environ.get(name, "").strip() or None


def _secret(value: str | None) -> SecretStr | None:
    return SecretStr(value) if value else None


def reveal(secret: SecretStr | None) -> str | None:
    return secret.get_secret_value() if secret is not None else None


class Credentials(BaseModel):
    """What CONTRACT.md's "Environment" names, as values. The CLI and library read them from the
    environment (`from_environment`); the Dagger module builds them from its secret arguments."""

    model_config = ConfigDict(frozen=True)

    openai_api_key: SecretStr | None = None
    openai_base_url: str | None = None
    openai_api_version: str | None = None
    azure_openai_endpoint: str | None = None
    model: str | None = None
    slack_webhook_url: SecretStr | None = None
    slack_bot_token: SecretStr | None = None
    slack_channel: str | None = None

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> Credentials:
        env = os.environ if environ is None else environ
        return cls(
            openai_api_key=_secret(_value(env, "OPENAI_API_KEY")),
            openai_base_url=_value(env, "OPENAI_BASE_URL"),
            openai_api_version=_value(env, "OPENAI_API_VERSION"),
            azure_openai_endpoint=_value(env, "AZURE_OPENAI_ENDPOINT"),
            model=_value(env, "SECSCAN_MODEL"),
            slack_webhook_url=_secret(_value(env, "SLACK_WEBHOOK_URL")),
            slack_bot_token=_secret(_value(env, "SLACK_BOT_TOKEN")),
            slack_channel=_value(env, "SLACK_CHANNEL"),
        )

    def secret_values(self) -> list[str]:
        """Every credential value, so the redactor masks it wherever it would appear."""
        found = (self.openai_api_key, self.slack_webhook_url, self.slack_bot_token)
        return [secret.get_secret_value() for secret in found if secret is not None]
