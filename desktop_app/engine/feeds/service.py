"""The facade the window uses for feeds: list them with what they did, run one now or when it
is due, pause it, apply a stopped file anyway, and save the review page's mapping and options
as a new feed. Plain blocking calls, meant for a worker thread (the window's runner)."""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable

from desktop_app.core.errors import StocksheetError
from desktop_app.core.progress import CancelToken
from desktop_app.engine.feeds import recipe
from desktop_app.engine.feeds.recipe import Feed, Target, feed_guards
from desktop_app.engine.feeds.runner import Connect, FeedRun, apply_anyway, run_feed

if TYPE_CHECKING:
    from desktop_app.engine.prepare import Preview


@dataclass(frozen=True, slots=True)
class FeedRow:
    name: str
    source: str
    stores: str
    status: str
    message: str
    last_run: float | None
    next_check: float | None
    paused: bool
    tripped: tuple[dict[str, Any], ...] = ()      # the guards that stopped the file waiting in failed/


class FeedService:
    def __init__(self, connect: Connect | None = None, *, clock: Callable[[], float] = time.time) -> None:
        if connect is None:
            from desktop_app.engine.feeds.connect import connect_target
            connect = connect_target
        self.connect, self.clock = connect, clock

    def rows(self) -> list[FeedRow]:
        out = []
        for name in recipe.names():
            try:
                feed, state = recipe.load(name), recipe.load_state(name)
            except Exception as exc:  # noqa: BLE001 - a broken recipe is listed with its sentence, not fatal
                out.append(FeedRow(name, "?", "?", "unreadable", str(exc), None, None, True))
                continue
            out.append(FeedRow(name=name, source=feed.source, stores=", ".join(t.label for t in feed.targets),
                               status="paused" if feed.paused else state.status, message=state.message,
                               last_run=state.last_run, next_check=None if feed.paused else state.next_check,
                               paused=feed.paused, tripped=tuple((state.tripped or {}).get("guards", ()))))
        return out

    def due(self) -> list[str]:
        now = self.clock()
        return [r.name for r in self.rows() if not r.paused and r.status != "unreadable"
                and (r.next_check is None or r.next_check <= now)]

    def run(self, name: str, *, cancel: CancelToken | None = None) -> FeedRun:
        """One check. A file still settling is not waited for: the next check (``every`` later) takes it."""
        return run_feed(recipe.load(name), connect=self.connect, clock=self.clock, cancel=cancel,
                        wait=lambda seconds: None)

    def run_due(self, *, cancel: CancelToken | None = None) -> list[FeedRun]:
        """Every due feed, one after the other; one that cannot run (its folder gone, its recipe
        broken) is said in its state and tried again an interval later, and the others still run."""
        runs = []
        for name in self.due():
            if cancel is not None and cancel.cancelled:
                break
            try:
                runs.append(self.run(name, cancel=cancel))
            except StocksheetError as exc:
                runs.append(FeedRun(name, message=str(exc), error=True))
                self._failed(name, str(exc))
        return runs

    def _failed(self, name: str, message: str) -> None:
        try:
            every = recipe.load(name).every
        except StocksheetError:
            every = recipe.DEFAULT_EVERY
        state = recipe.load_state(name)
        state.status, state.message, state.next_check = "error", message, self.clock() + every
        recipe.save_state(name, state)

    def apply_anyway(self, name: str, *, cancel: CancelToken | None = None) -> FeedRun:
        outcome = apply_anyway(recipe.load(name), connect=self.connect, cancel=cancel)
        return FeedRun(name, files=[outcome])

    def set_paused(self, name: str, paused: bool) -> None:
        feed = recipe.load(name)
        feed.paused = paused
        recipe.save(feed)

    def save_from_preview(self, preview: "Preview", *, name: str, platform: str, url: str, watch: str | None = None,
                          feed_url: str | None = None, every: int = recipe.DEFAULT_EVERY,
                          store_options: dict[str, str] | None = None) -> Feed:
        """A feed applying files like the one reviewed, with the same mapping and options, to this
        store (``store_options``: the connection's own non-secret settings — Zettle's client id and
        removal location, Marketplacer's Basic user)."""
        options, extra = preview.options, store_options or {}
        target = Target(platform=platform, url=url, zettle_client_id=extra.get("client_id") or None,
                        zettle_removal=extra.get("removal_location") or None,
                        basic_user=extra.get("basic_user") or None)
        feed = Feed(name=name, targets=[target], watch=watch, url=feed_url, every=every,
                    key=options.key.value if options.key else None, sheet=options.sheet,
                    overrides=preview.mapping.to_overrides(), locations=dict(options.location_aliases),
                    duplicates=str(options.duplicates.value), force_stale=options.force_stale, guards=feed_guards())
        if name in recipe.names():
            from desktop_app.core.errors import InputError
            raise InputError(f"There is already a feed named '{name}': choose another name.")
        recipe.save(feed)
        return feed
