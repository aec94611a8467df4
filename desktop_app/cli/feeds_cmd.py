"""``stocksheet feed add/list/remove/run/pause/unpause`` and ``stocksheet watch DIR --once``, and
the guard flags (on ``import`` and the feeds). Same engine as the window."""
from __future__ import annotations

import argparse
import hashlib
import json
import re
import signal
import threading
import time
from pathlib import Path
from typing import Any, Callable

from desktop_app.core.errors import InputError
from desktop_app.core.words import plural
from desktop_app.engine import guards


def add_guard_flags(sp: argparse.ArgumentParser) -> None:
    """The guards every import checks before anything is written (README: Guards)."""
    sp.add_argument("--max-zero-share", metavar="SHARE", default=None,
                    help="stop, writing nothing, when more than this share of the stocked levels the sheet names "
                         f"would go to 0 (default {guards.DEFAULT_MAX_ZERO_SHARE * 100:.0f}%%; e.g. 0.4 or 40%%)")
    sp.add_argument("--max-drop-share", metavar="SHARE", default=None,
                    help="stop, writing nothing, when more than this share would go down by more than half "
                         f"(default {guards.DEFAULT_MAX_DROP_SHARE * 100:.0f}%%)")
    sp.add_argument("--allow-mass-change", action="store_true",
                    help="write even when those shares are passed (a deliberate clear-out); an empty sheet "
                         "still writes nothing")


# ---- feeds and watch ---------------------------------------------------------------------------
PLATFORM_CHOICES = ["genstore", "zettle", "marketplacer", "shoplazza"]
_EVERY = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$", re.I)


def parse_every(text: str) -> int:
    """``15m``, ``1h``, ``90s``, ``900`` → seconds."""
    found = _EVERY.match(str(text))
    if not found:
        raise InputError(f"--every '{text}': write an interval such as 30s, 15m, 1h or 1d.")
    seconds = float(found.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}[found.group(2).lower()]
    if seconds < 1:
        raise InputError(f"--every '{text}': the interval must be at least one second.")
    return int(seconds)


def _sheet_flags(sp: argparse.ArgumentParser) -> None:
    """What a feed or a watch imports with: the same mapping and options as ``import``."""
    from desktop_app.core.models import KeyKind
    sp.add_argument("--profile", help="a saved mapping profile (import --save-profile NAME)")
    sp.add_argument("--key", choices=[k.value for k in KeyKind], help="variant identity column")
    sp.add_argument("--sheet", help="workbook sheet name")
    sp.add_argument("--map", action="append", default=[], metavar="'HEADER=ROLE'", help="column override (repeatable)")
    sp.add_argument("--location", action="append", default=[], metavar="'SHEET NAME=STORE LOCATION'",
                    help="match a location name in the sheet to a store location (repeatable)")
    sp.add_argument("--duplicates", choices=["error", "last", "sum"], default="error")
    sp.add_argument("--force-stale", action="store_true", help="write rows whose live level moved since the sheet")
    sp.add_argument("--settle", type=float, default=None, metavar="SECONDS",
                    help="a new file is taken once it kept its size this long (default 5)")
    add_guard_flags(sp)
    sp.add_argument("--min-rows-share", metavar="SHARE", default=None,
                    help="stop when a file has fewer rows than this share of the feed's usual size (default 50%%)")
    sp.add_argument("--max-unknown-share", metavar="SHARE", default=None,
                    help="stop when more than this share of the rows name a SKU the store lacks (default 20%%)")


def _store_flags(sp: argparse.ArgumentParser, *, url_flag: str) -> None:
    sp.add_argument("--platform", action="append", required=True, choices=PLATFORM_CHOICES,
                    help="the target store's platform; repeat --platform with its URL for several stores")
    sp.add_argument(url_flag, action="append", required=True, dest="store_url", metavar="URL",
                    help="the target store's URL (repeat for several stores, in the order of --platform). The "
                         "token comes from STOCKSHEET_TOKEN or the OS keyring, never from a flag.")
    sp.add_argument("--zettle-client-id", default=None, metavar="ID", help="Zettle stores: the API key's client id")
    sp.add_argument("--zettle-removal", choices=["BIN", "SOLD"], default=None)
    sp.add_argument("--basic-user", default=None, metavar="USER", help="Marketplacer stores behind HTTP Basic auth")


def register(sub: Any) -> None:
    """``feed add/list/remove/run/pause/unpause`` and ``watch``."""
    f = sub.add_parser("feed", help="saved feeds: a folder or a URL applied by itself to one store or several")
    f.set_defaults(handler=handle)        # the shape of the cli package's modules: ``args.handler(args)``
    fs = f.add_subparsers(dest="feed_command", required=True)
    a = fs.add_parser("add", help="save a feed (a source, a mapping, options, target stores and guards)")
    a.add_argument("name")
    source = a.add_mutually_exclusive_group(required=True)
    source.add_argument("--watch", type=Path, metavar="DIR", help="a folder: each new file there is applied")
    source.add_argument("--url", metavar="URL", help="an https URL polled every --every; a changed file is applied")
    a.add_argument("--every", default="15m", help="how often to check (30s, 15m, 1h; default 15m)")
    _store_flags(a, url_flag="--url-store")
    _sheet_flags(a)
    ls = fs.add_parser("list", help="the saved feeds, their last run, status and next check")
    ls.add_argument("--json", action="store_true")
    rm = fs.add_parser("remove", help="forget a feed (its done/ and failed/ files stay)")
    rm.add_argument("name")
    for verb, text in (("pause", "stop running a feed until unpaused"), ("unpause", "run a paused feed again")):
        fs.add_parser(verb, help=text).add_argument("name")
    r = fs.add_parser("run", help="check a feed now (and keep checking every interval unless --once)")
    r.add_argument("name")
    r.add_argument("--once", action="store_true", help="one check, then exit (for cron and timers)")
    r.add_argument("--apply-anyway", action="store_true",
                   help="apply the file a guard stopped (it waits in failed/), with that guard allowed")
    r.add_argument("--json", action="store_true")

    w = sub.add_parser("watch", help="apply every new sheet in DIR (to one store or several); with --once, "
                                     "for cron, systemd timers and Task Scheduler")
    w.set_defaults(handler=handle)
    w.add_argument("dir", type=Path, metavar="DIR")
    _store_flags(w, url_flag="--url")
    _sheet_flags(w)
    w.add_argument("--once", action="store_true", help="process every file in DIR once, then exit: 0 all applied or "
                                                       "unchanged, 1 rows or guards need attention, 3 a store was "
                                                       "unreachable")
    w.add_argument("--every", default="1m", help="without --once: how often to look (default 1m)")
    w.add_argument("--json", action="store_true")


def handle(args: argparse.Namespace) -> int:
    if args.command == "watch":
        return cmd_watch(args)
    return {"add": cmd_feed_add, "list": cmd_feed_list, "remove": cmd_feed_remove, "run": cmd_feed_run,
            "pause": lambda a: _set_paused(a, True), "unpause": lambda a: _set_paused(a, False)}[args.feed_command](args)


def _targets(args: argparse.Namespace) -> list:
    from desktop_app.engine.feeds import Target
    platforms, urls = args.platform, args.store_url
    if len(platforms) != len(urls):
        raise InputError(f"{len(platforms)} --platform and {len(urls)} store URLs: give one --platform per store "
                         "URL, in the same order.")
    return [Target(platform=p, url=u.rstrip("/"), zettle_client_id=args.zettle_client_id if p == "zettle" else None,
                   zettle_removal=args.zettle_removal if p == "zettle" else None,
                   basic_user=args.basic_user if p == "marketplacer" else None) for p, u in zip(platforms, urls)]


def _feed_from_args(args: argparse.Namespace, *, name: str, watch: Path | None, url: str | None, every: int):
    from desktop_app.core.mapping import parse_override
    from desktop_app.engine.feeds import Feed, feed_guards
    from desktop_app.engine.feeds.recipe import DEFAULT_SETTLE
    if args.profile:
        from desktop_app.engine import profile_store
        profile_store.load(args.profile)                     # a clear sentence now, not at the first file
    from desktop_app.engine.importer import parse_locations
    overrides = dict(parse_override(spec) for spec in args.map)
    locations = parse_locations(args.location)
    limits = {k: guards.parse_share(v) for k in ("max_zero_share", "max_drop_share", "min_rows_share",
                                                  "max_unknown_share") if (v := getattr(args, k)) is not None}
    return Feed(name=name, targets=_targets(args), watch=str(watch.resolve()) if watch else None, url=url,
                every=every, settle=DEFAULT_SETTLE if args.settle is None else args.settle, profile=args.profile,
                key=args.key, sheet=args.sheet, overrides=overrides, locations=locations, duplicates=args.duplicates,
                force_stale=args.force_stale,
                guards=feed_guards(allow_mass_change=args.allow_mass_change or None, **limits))


def cmd_feed_add(args: argparse.Namespace) -> int:
    from desktop_app.engine import feeds
    if args.watch is not None and not args.watch.is_dir():
        raise InputError(f"--watch {args.watch}: there is no such folder. Create it first, or give another.")
    feed = _feed_from_args(args, name=args.name, watch=args.watch, url=args.url, every=parse_every(args.every))
    if args.name in feeds.names():
        raise InputError(f"There is already a feed named '{args.name}'. Remove it first (stocksheet feed remove "
                         f"{args.name}) or choose another name.")
    path = feeds.save(feed)
    print(f"Feed '{feed.name}' saved ({path}): {feed.source} → "
          f"{', '.join(t.label for t in feed.targets)}, checked every {_interval(feed.every)}.")
    return 0


def cmd_feed_list(args: argparse.Namespace) -> int:
    from desktop_app.engine import feeds
    rows = []
    for name in feeds.names():
        feed, state = feeds.load(name), feeds.load_state(name)
        rows.append({"name": name, "source": feed.source, "stores": [t.label for t in feed.targets],
                     "every": feed.every, "paused": feed.paused, "status": state.status,
                     "last_run": _when(state.last_run), "next_check": _when(state.next_check),
                     "message": state.message, "tripped": state.tripped})
    if args.json:
        print(json.dumps(rows))
    elif not rows:
        print("No feeds yet. Add one with `stocksheet feed add NAME --watch DIR …`.")
    for r in [] if args.json else rows:
        paused = " (paused)" if r["paused"] else ""
        print(f"{r['name']}{paused}: {r['source']} → {', '.join(r['stores'])}; last run {r['last_run'] or 'never'}: "
              f"{r['status']}; next check {r['next_check'] or 'at the next run'}")
    return 0


def cmd_feed_remove(args: argparse.Namespace) -> int:
    from desktop_app.engine import feeds
    feeds.remove(args.name)
    print(f"Feed '{args.name}' removed (its done/ and failed/ files are kept).")
    return 0


def _set_paused(args: argparse.Namespace, paused: bool) -> int:
    from desktop_app.engine import feeds
    feed = feeds.load(args.name)
    feed.paused = paused
    feeds.save(feed)
    print(f"Feed '{args.name}' {'paused' if paused else 'runs again'}.")
    return 0


def cmd_feed_run(args: argparse.Namespace) -> int:
    from desktop_app.app import feed_connect
    from desktop_app.engine import feeds
    feed = feeds.load(args.name)
    if args.apply_anyway:
        outcome = feeds.apply_anyway(feed, connect=feed_connect())
        return _print_run(args, feeds.FeedRun(feed.name, files=[outcome]))
    if feed.paused and args.once:
        print(f"Feed '{feed.name}' is paused (stocksheet feed unpause {feed.name}).")
        return 0
    return _loop(args, lambda: feeds.load(args.name), once=args.once)


def cmd_watch(args: argparse.Namespace) -> int:
    if not args.dir.is_dir():
        raise InputError(f"{args.dir}: there is no such folder to watch.")
    key = hashlib.sha256(str(args.dir.resolve()).encode()).hexdigest()[:12]
    feed = _feed_from_args(args, name=f"watch-{key}", watch=args.dir, url=None, every=parse_every(args.every))
    return _loop(args, lambda: feed, once=args.once)


def _loop(args: argparse.Namespace, current: Callable[[], Any], *, once: bool) -> int:
    """One check (``once``), or a check every interval until Ctrl+C / SIGTERM."""
    from desktop_app.core.progress import CancelToken
    from desktop_app.app import feed_connect
    from desktop_app.engine.feeds import run_feed
    connect = feed_connect()           # real stores from saved secrets; a demo target starts the demo store
    stopped, cancel = threading.Event(), CancelToken()

    def stop(*_: Any) -> None:
        stopped.set()
        cancel.cancel()
    previous = {s: signal.signal(s, stop) for s in (signal.SIGINT, signal.SIGTERM)}
    code = 0
    try:
        while True:
            feed = current()
            if not feed.paused:
                run = run_feed(feed, connect=connect, cancel=cancel, wait=stopped.wait)
                code = max(code, _print_run(args, run))
            if once or stopped.wait(feed.every):
                return code
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


def _print_run(args: argparse.Namespace, run: Any) -> int:
    if getattr(args, "json", False):
        print(json.dumps({"feed": run.feed, "code": run.code, "message": run.message, "waiting": run.waiting,
                          "files": [f.as_json() for f in run.files]}, default=str), flush=True)
        return run.code
    if not run.files:
        print(f"{run.feed}: {run.message}", flush=True)
    for name in run.waiting:
        print(f"{name}: still being written; left for the next check", flush=True)
    for f in run.files:
        if f.problem:
            print(f"{f.name}: cannot be read: {f.problem}")
        else:
            guard_text = "; ".join(g["message"] for g in f.guards) if f.guards else "passed"
            print(f"{f.name}: read {plural(f.rows, 'data row')}; guards: {guard_text}")
        for s in f.stores:
            print(f"  {s.target.label}: {s.status} — {s.message}")
        print(f"  {f.status}: {f.path}; report {f.report}", flush=True)
    return run.code


def _interval(seconds: int) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def _when(t: float | None) -> str | None:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(t)) if t else None
