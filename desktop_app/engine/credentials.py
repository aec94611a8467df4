"""Secrets: from the environment or the OS keyring, never from a command-line flag (argv is
visible to every user of the machine), never written to settings, logs or reports.

* the access token — or, for Zettle with a client id, the API key it exchanges — is
  ``STOCKSHEET_TOKEN`` or the keyring entry for the store URL;
* a Marketplacer site's HTTP Basic password is ``STOCKSHEET_BASIC_PASSWORD`` or the keyring
  entry ``URL#basic-auth``.

Non-secret connection options (Zettle's client id, the Basic user) live in the window's store
options. Every secret read here is remembered by ``core.redaction``, whose ``redact`` masks it
by value in every log line, message and journal field.
"""
from __future__ import annotations

import os

import keyring
import keyring.errors

from desktop_app.core.errors import InputError
from desktop_app.core.redaction import remember

SERVICE = "Stocksheet"


def clean_secret(value: str | None, *, source: str) -> str | None:
    """``value`` without surrounding whitespace (a trailing newline from ``$(cat token.txt)``, a
    space, a carriage return); InputError — never echoing it — when what is left holds a character an HTTP
    header cannot carry (controls, non-ASCII). ``source`` names where it came from."""
    if value is None:
        return None
    value = value.strip()
    bad = next((ch for ch in value if not (" " <= ch <= "~")), None)
    if bad is not None:
        kind = "a line break" if bad in "\r\n" else "a control character" if ord(bad) < 32 or ord(bad) == 127 \
            else "a non-ASCII character"
        raise InputError(f"The secret in {source} contains {kind}, a character an HTTP header cannot carry, "
                         "so it cannot be right: copy it again from the store's admin (only the token itself, on one "
                         "line).")
    return value or None


def _secret(env_var: str, entry: str, *, source: str) -> str | None:
    """The environment variable, else the keyring entry, cleaned (``clean_secret``); None when
    neither holds it. ``source`` names the keyring entry in a message."""
    env = os.environ.get(env_var)
    if env and env.strip():
        secret = clean_secret(env, source=env_var)
    else:
        try:
            saved = keyring.get_password(SERVICE, entry)
        except keyring.errors.KeyringError:
            return None
        secret = clean_secret(saved, source=source)
    remember(secret)                  # masked by value wherever it turns up (core.redaction)
    return secret


def get_token(url: str) -> str | None:
    url = url.rstrip("/")
    return _secret("STOCKSHEET_TOKEN", url, source=f"the keyring entry for {url}")


def save_token(url: str, token: str) -> bool:
    """Store in the OS keyring; False when no keyring is available (say so to the user)."""
    try:
        keyring.set_password(SERVICE, url.rstrip("/"), token.strip())
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
    return _secret("STOCKSHEET_BASIC_PASSWORD", url.rstrip("/") + BASIC_SUFFIX,
                   source="the keyring entry of the HTTP Basic password")


def save_basic_password(url: str, password: str) -> bool:
    """Store a site's HTTP Basic password in the keyring; False when no keyring is available."""
    return save_token(url.rstrip("/") + BASIC_SUFFIX, password)

