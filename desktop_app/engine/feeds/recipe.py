"""A feed: a saved recipe (source, mapping, import options, target stores, guards) and its state.

Recipes live in ``STOCKSHEET_HOME/feeds/NAME.json``, what happened in ``NAME.state.json`` beside
it. A recipe never holds a secret: tokens stay in the OS keyring or the environment, a URL with
credentials in it is refused, and a field that is not part of the recipe is not kept.
"""
from __future__ import annotations

import json
import os
import re
import statistics
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from desktop_app.core.errors import InputError
from desktop_app.engine.guards import DEFAULT_MAX_UNKNOWN_SHARE, DEFAULT_MIN_ROWS_SHARE, GuardLimits
from desktop_app.engine.paths import home

PLATFORMS = ("genstore", "zettle", "marketplacer", "shoplazza")
DEFAULT_EVERY = 15 * 60          # seconds between two checks of a URL or a folder
DEFAULT_SETTLE = 5.0             # seconds a new file must keep its size before it is picked up
USUAL_RUNS = 10                  # runs the "usual size" of a feed is the median of
_SECRET_PARAMS = re.compile(r"(?i)(token|secret|password|passwd|api[-_]?key|access[-_]?key|signature|sig)$")
_LOOPBACK = ("127.0.0.1", "localhost", "::1")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


def feed_guards(**limits: Any) -> GuardLimits:
    """A feed's guards: the import guards plus the feed-only ones, on by default."""
    base = {"min_rows_share": DEFAULT_MIN_ROWS_SHARE, "max_unknown_share": DEFAULT_MAX_UNKNOWN_SHARE}
    return GuardLimits(**{**base, **{k: v for k, v in limits.items() if v is not None}})


def refuse_credentials(url: str, *, what: str) -> str:
    """A URL that carries a user, a password or a secret-looking query parameter is refused: the
    recipe is a plain file, and feeds never hold a secret."""
    parts = urlsplit(url)
    if parts.username or parts.password:
        raise InputError(f"The {what} '{parts.hostname}' carries a user name or password in the URL. Feeds never "
                         "keep a secret: remove it (store tokens live in the OS keyring or STOCKSHEET_TOKEN).")
    secret = [k for k, _ in parse_qsl(parts.query) if _SECRET_PARAMS.search(k)]
    if secret:
        raise InputError(f"The {what} has a '{secret[0]}' parameter in its query, which looks like a secret. Feeds "
                         "never keep a secret in their recipe: use a URL that needs none.")
    return url


@dataclass(frozen=True, slots=True)
class Target:
    """One store a feed writes to. No token: it comes from the keyring or the environment. The
    embedded demo store is ``demo:PLATFORM`` (its address changes with every launch; its state
    file under STOCKSHEET_HOME does not)."""

    platform: str
    url: str
    zettle_client_id: str | None = None
    zettle_removal: str | None = None
    basic_user: str | None = None

    def __post_init__(self) -> None:
        if self.platform not in PLATFORMS:
            raise InputError(f"'{self.platform}' is not a platform Stocksheet knows ({', '.join(PLATFORMS)}).")
        refuse_credentials(self.url, what="store URL")

    @property
    def is_demo(self) -> bool:
        return self.url == demo_url(self.platform)

    @property
    def label(self) -> str:
        return f"the {self.platform} demo store" if self.is_demo else f"{self.platform} {self.url}"


def demo_url(platform: str) -> str:
    """The target address of the embedded demo store of ``platform``."""
    return f"demo:{platform}"


@dataclass(slots=True)
class Feed:
    name: str
    targets: list[Target]
    watch: str | None = None                  # a folder …
    url: str | None = None                    # … or an https URL, polled
    every: int = DEFAULT_EVERY
    settle: float = DEFAULT_SETTLE
    profile: str | None = None
    key: str | None = None
    sheet: str | None = None
    overrides: dict[str, str] = field(default_factory=dict)
    locations: dict[str, str] = field(default_factory=dict)      # sheet name → store location (name or id)
    duplicates: str = "error"
    force_stale: bool = False
    guards: GuardLimits = field(default_factory=feed_guards)
    paused: bool = False

    def __post_init__(self) -> None:
        if not _NAME.match(self.name or ""):
            raise InputError(f"'{self.name}' cannot name a feed: use letters, digits, '.', '_' or '-' (up to 64).")
        if (self.watch is None) == (self.url is None):
            raise InputError(f"Feed '{self.name}' needs exactly one source: --watch DIR or --url URL.")
        if self.url is not None:
            refuse_credentials(self.url, what="feed URL")
            parts = urlsplit(self.url)
            if not parts.hostname or not (parts.scheme == "https" or (parts.scheme == "http" and
                                                                       parts.hostname in _LOOPBACK)):
                raise InputError(f"The feed URL '{self.url}' must be a full https:// address (plain http only for "
                                 "127.0.0.1/localhost): a file fetched over plain http can be changed on the way.")
        if not self.targets:
            raise InputError(f"Feed '{self.name}' has no target store: give --platform and --url-store.")
        if self.every < 1:
            raise InputError(f"Feed '{self.name}': --every must be at least 1 second.")

    @property
    def source(self) -> str:
        return f"folder {self.watch}" if self.watch else f"URL {self.url}"

    def workdir(self) -> Path:
        """Where the feed's files go through: the watched folder itself (``processing/``,
        ``done/``, ``failed/`` inside it), or, for a URL, a folder of its own under the home."""
        return Path(self.watch) if self.watch else feeds_dir() / self.name

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["guards"] = self.guards.as_json()
        data["targets"] = [{k: v for k, v in asdict(t).items() if v is not None} for t in self.targets]
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Feed":
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        known["targets"] = [Target(**{k: v for k, v in t.items() if k in Target.__dataclass_fields__})
                            for t in data.get("targets", [])]
        known["guards"] = feed_guards(**GuardLimits.from_json(data.get("guards")).as_json())
        return cls(**known)


@dataclass(slots=True)
class FeedState:
    """What a feed did last and what it remembers between checks."""

    last_run: float | None = None            # time.time()
    status: str = "never run"                # applied | attention | tripped | unreachable | unchanged | …
    message: str = ""
    last_file: str | None = None
    report: str | None = None
    next_check: float | None = None
    rows: list[int] = field(default_factory=list)          # data rows of the last applied files
    tripped: dict[str, Any] | None = None    # {"file": …, "guards": [...]} waiting for a person
    seen: dict[str, list[float]] = field(default_factory=dict)   # folder: name → [size, mtime_ns, first seen]
    etag: str | None = None
    last_modified: str | None = None
    sha256: str | None = None

    @property
    def usual_rows(self) -> int | None:
        return int(statistics.median(self.rows)) if self.rows else None

    def remember_rows(self, n: int) -> None:
        self.rows = (self.rows + [n])[-USUAL_RUNS:]

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "FeedState":
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})


def feeds_dir() -> Path:
    d = home() / "feeds"
    d.mkdir(exist_ok=True)
    return d


def _write(path: Path, data: dict[str, Any]) -> None:
    """All or nothing: a crash mid-write leaves the old file."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=2, sort_keys=True)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _read(path: Path, *, what: str) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"The {what} {path} cannot be read ({exc}). Remove it, or fix it by hand.") from None
    if not isinstance(data, dict):
        raise InputError(f"The {what} {path} is not a JSON object. Remove it, or fix it by hand.")
    return data


def save(feed: Feed) -> Path:
    path = feeds_dir() / f"{feed.name}.json"
    _write(path, feed.as_json())
    return path


def load(name: str) -> Feed:
    path = feeds_dir() / f"{name}.json"
    if not _NAME.match(name) or not path.is_file():
        known = ", ".join(names()) or "none yet"
        raise InputError(f"There is no feed named '{name}' (feeds: {known}). Add one with `stocksheet feed add`.")
    return Feed.from_json(_read(path, what="feed recipe"))


def names() -> list[str]:
    return sorted(p.stem for p in feeds_dir().glob("*.json") if not p.name.endswith(".state.json"))


def remove(name: str) -> None:
    load(name)
    for suffix in (".json", ".state.json"):
        (feeds_dir() / f"{name}{suffix}").unlink(missing_ok=True)


def load_state(name: str) -> FeedState:
    path = feeds_dir() / f"{name}.state.json"
    return FeedState.from_json(_read(path, what="feed state")) if path.is_file() else FeedState()


def save_state(name: str, state: FeedState) -> None:
    _write(feeds_dir() / f"{name}.state.json", asdict(state))
