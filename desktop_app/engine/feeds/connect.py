"""The connector of a feed's target store. Secrets come from the environment or the OS keyring
(``engine.credentials``), never from the recipe."""
from __future__ import annotations

from typing import Callable

from desktop_app.core.errors import InputError
from desktop_app.engine.connect import connect_saved
from desktop_app.engine.feeds.recipe import Target
from desktop_app.platforms.base import Connector

#: opens the embedded demo store of a platform (the composition root, ``desktop_app.app``, has one)
DemoOpener = Callable[[str], Connector]


def connect_target(target: Target, *, demo: DemoOpener | None = None) -> Connector:
    if target.is_demo:
        if demo is None:
            raise InputError(f"This feed writes to the {target.platform} demo store, which only Stocksheet's window "
                             "or `stocksheet feed run` can open.")
        return demo(target.platform)
    return connect_saved(target.platform, target.url, client_id=target.zettle_client_id,
                         basic_user=target.basic_user or None, removal_location=target.zettle_removal)
