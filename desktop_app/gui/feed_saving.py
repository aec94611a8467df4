""""Save as feed…" from the review page: the reviewed sheet's mapping and options, this store."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from desktop_app.core.errors import StocksheetError
from desktop_app.engine.feeds.recipe import demo_url
from desktop_app.gui.errors import Dialogs
from desktop_app.gui.feed_dialog import FeedDialog


def save_as_feed(window: Any) -> None:
    prepared = window.prepared
    if prepared is None:
        return
    info = window.workspace.info
    default = re.sub(r"[^A-Za-z0-9._-]+", "-", Path(prepared.preview.sheet.path or "feed").stem).strip("-.") or "feed"
    choice = FeedDialog.ask(window, name=default, store=info.name)
    if choice is None:
        return
    try:
        feed = window.feed_scheduler.service.save_from_preview(
            prepared.preview, name=choice.name, platform=info.platform,
            url=demo_url(info.platform) if info.is_demo else info.url, watch=choice.watch or None,
            feed_url=choice.url or None, every=choice.every_minutes * 60,
            store_options=window.settings.store_options(info.url))
    except StocksheetError as exc:
        Dialogs.error(window, title="Cannot save the feed", text=str(exc))
        return
    window.statusBar().showMessage(f"Feed '{feed.name}' saved: {feed.source} → {info.name}, checked every "
                                   f"{choice.every_minutes} min while this window is open.")
    window.show_feeds()
