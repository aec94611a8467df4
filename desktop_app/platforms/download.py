"""Fetching a feed's file over https, conditionally (ETag / Last-Modified), within bounds.

Plain http only for loopback (tests, a local server); redirects are not followed (a feed URL
that moved is said, not guessed); a file larger than ``MAX_BYTES`` is refused while streaming."""
from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

import httpx

from desktop_app.core.errors import InputError, UnreachableError
from desktop_app.platforms.http import check_url

MAX_BYTES = 256 * 1024 * 1024
_FILENAME = re.compile(r"""filename\*?=(?:UTF-8'')?["']?([^"';]+)""", re.I)
_TYPES = {"text/csv": ".csv", "text/tab-separated-values": ".tsv", "application/vnd.ms-excel": ".xls",
          "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
          "application/vnd.oasis.opendocument.spreadsheet": ".ods"}


@dataclass(frozen=True, slots=True)
class Fetched:
    not_modified: bool
    content: bytes = b""
    etag: str | None = None
    last_modified: str | None = None
    filename: str = ""


def fetch(url: str, *, etag: str | None = None, last_modified: str | None = None,
          timeout: float = 60.0) -> Fetched:
    check_url(url)
    headers = {"User-Agent": "Stocksheet feed"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    try:
        with httpx.Client(timeout=timeout, follow_redirects=False) as client:
            with client.stream("GET", url, headers=headers) as response:
                if response.status_code == 304:
                    return Fetched(True, etag=etag, last_modified=last_modified)
                if response.is_redirect:
                    raise InputError(f"The feed URL {url} redirects to {response.headers.get('location')}: "
                                     "put that address in the feed instead.")
                if response.status_code >= 400:
                    raise UnreachableError(f"The feed URL {url} answered {response.status_code} "
                                           f"{response.reason_phrase}.")
                chunks, size = [], 0
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > MAX_BYTES:
                        raise InputError(f"The file at {url} is larger than {MAX_BYTES // 2**20} MB, the most a "
                                         "feed takes.")
                    chunks.append(chunk)
                return Fetched(False, b"".join(chunks), response.headers.get("etag"),
                               response.headers.get("last-modified"), _filename(url, response))
    except httpx.HTTPError as exc:
        raise UnreachableError(f"The feed URL {url} cannot be reached ({type(exc).__name__}: {exc}).") from None


def _filename(url: str, response: httpx.Response) -> str:
    found = _FILENAME.search(response.headers.get("content-disposition", ""))
    name = unquote(found.group(1)) if found else unquote(urlsplit(url).path.rsplit("/", 1)[-1])
    name = re.sub(r"[^\w.-]+", "_", name).strip("._") or "feed"
    if "." not in name:
        kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
        name += _TYPES.get(kind, ".csv")
    return name
