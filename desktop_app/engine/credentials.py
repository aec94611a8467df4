"""Secrets: from the environment or the OS keyring, never from a command-line flag (argv is
visible to every user of the machine), never written to settings, logs or reports.

* the access token — or, for Zettle with a client id, the API key it exchanges — is
  ``STOCKSHEET_TOKEN`` or the keyring entry for the store URL;
* a Marketplacer site's HTTP Basic password is ``STOCKSHEET_BASIC_PASSWORD`` or the keyring
  entry ``URL#basic-auth``.

Non-secret connection options (Zettle's client id, the Basic user) live in the window's store
options. ``redact`` removes a secret from any text before it is logged.
"""
from __future__ import annotations

import os

import keyring
import keyring.errors

SERVICE = "Stocksheet"


def _secret(env_var: str, entry: str) -> str | None:
    """The environment variable, else the keyring entry; None when neither holds it."""
    env = os.environ.get(env_var)
    if env:
        return env
    try:
        return keyring.get_password(SERVICE, entry)
    except keyring.errors.KeyringError:
        return None


def get_token(url: str) -> str | None:
    return _secret("STOCKSHEET_TOKEN", url.rstrip("/"))


def save_token(url: str, token: str) -> bool:
    """Store in the OS keyring; False when no keyring is available (say so to the user)."""
    try:
        keyring.set_password(SERVICE, url.rstrip("/"), token)
        return True
    except keyring.errors.KeyringError:
        return False


def delete_token(url: str) -> None:
    try:
        keyring.delete_password(SERVICE, url.rstrip("/"))
    except keyring.errors.KeyringError:
        pass


#: the keyring entry of a Marketplacer site's HTTP Basic password, beside its API key's
BASIC_SUFFIX = "#basic-auth"


def get_basic_password(url: str) -> str | None:
    """A site's HTTP Basic password: ``STOCKSHEET_BASIC_PASSWORD``, else the keyring."""
    return _secret("STOCKSHEET_BASIC_PASSWORD", url.rstrip("/") + BASIC_SUFFIX)


def save_basic_password(url: str, password: str) -> bool:
    """Store a site's HTTP Basic password in the keyring; False when no keyring is available."""
    return save_token(url.rstrip("/") + BASIC_SUFFIX, password)


def redact(text: str, *tokens: str | None) -> str:
    for t in tokens:
        if t:
            text = text.replace(t, "***")
    return text
