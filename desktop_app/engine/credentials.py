"""Access tokens: from ``STOCKSHEET_TOKEN`` or the OS keyring entry for the store URL.

Never from a command-line flag (argv is visible to every user of the machine), never written to
settings, logs or reports. ``redact`` removes a token from any text before it is logged.
"""
from __future__ import annotations

import os

import keyring
import keyring.errors

SERVICE = "Stocksheet"


def get_token(url: str) -> str | None:
    env = os.environ.get("STOCKSHEET_TOKEN")
    if env:
        return env
    try:
        return keyring.get_password(SERVICE, url.rstrip("/"))
    except keyring.errors.KeyringError:
        return None


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


def redact(text: str, *tokens: str | None) -> str:
    for t in tokens:
        if t:
            text = text.replace(t, "***")
    return text
