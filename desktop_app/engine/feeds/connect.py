"""The connector of a feed's target store. Secrets come from the environment or the OS keyring
(``engine.credentials``), never from the recipe."""
from __future__ import annotations

from desktop_app.engine.connect import connect_saved
from desktop_app.engine.feeds.recipe import Target
from desktop_app.platforms.base import Connector


def connect_target(target: Target) -> Connector:
    return connect_saved(target.platform, target.url, client_id=target.zettle_client_id,
                         basic_user=target.basic_user or None, removal_location=target.zettle_removal)
