"""The secrets this process knows, and their removal from any text — by value, not by pattern.

Every access token, API key, exchanged access token and HTTP Basic password Stocksheet reads or
sends is ``remember``-ed here (``engine.credentials`` when it reads one, ``platforms.http`` for
every auth header it sends); ``redact(text)`` replaces each of them, in the forms a message can
carry it (as is, URL-encoded, JSON-escaped), by ``***``. A pattern such as "the word after
``Bearer``" misses a token a store echoes on its own; a value cannot be missed. The log
formatter, the journal, the HTTP layer's error bodies and the command line's messages all go
through ``redact``. Secrets shorter than ``MIN_LENGTH`` are not redacted (they would mask
ordinary words); no real token is that short.
"""
from __future__ import annotations

import json
import string
import threading

MASK = "***"
MIN_LENGTH = 4

_lock = threading.Lock()
_known: set[str] = set()
_forms: tuple[str, ...] = ()          # every form of every secret, longest first


def remember(*secrets: str | None) -> None:
    """Add secrets to the ones ``redact`` removes (None and short values are ignored)."""
    global _forms
    new = {s for s in secrets if s and len(s) >= MIN_LENGTH} - _known
    if not new:
        return
    with _lock:
        _known.update(new)
        forms = set(_forms)
        for s in new:
            forms.update({s, _percent_encoded(s), json.dumps(s)[1:-1]})
        _forms = tuple(sorted((f for f in forms if len(f) >= MIN_LENGTH), key=len, reverse=True))


_UNRESERVED = frozenset((string.ascii_letters + string.digits + "-._~").encode("ascii"))


def _percent_encoded(secret: str) -> str:
    """``secret`` as it appears in a URL or a form body (RFC 3986 unreserved characters kept)."""
    return "".join(chr(b) if b in _UNRESERVED else f"%{b:02X}" for b in secret.encode("utf-8"))


def redact(text: str) -> str:
    """``text`` with every known secret replaced by ``***``."""
    if not text:
        return text
    for form in _forms:
        if form in text:
            text = text.replace(form, MASK)
    return text


def redact_bytes(data: bytes) -> bytes:
    """``redact`` for a body as received (UTF-8 forms of the secrets)."""
    for form in _forms:
        raw = form.encode("utf-8")
        if raw in data:
            data = data.replace(raw, MASK.encode("ascii"))
    return data


def known() -> frozenset[str]:
    """The secrets remembered so far (tests check files and messages against them)."""
    return frozenset(_known)
