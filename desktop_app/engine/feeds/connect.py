"""The connector of a feed's target store. Secrets come from the environment or the OS keyring
(``engine.credentials``), never from the recipe."""
from __future__ import annotations

import os
from typing import Any

from desktop_app.core.errors import InputError
from desktop_app.engine.credentials import get_basic_password, get_token
from desktop_app.engine.feeds.recipe import Target
from desktop_app.platforms.base import Connector


def connect_target(target: Target) -> Connector:
    from desktop_app.platforms.http import check_url
    from desktop_app.platforms.registry import connect
    url = check_url(target.url)
    options: dict[str, Any] = {}
    if target.zettle_removal:
        options["removal_location"] = target.zettle_removal
    client_id = (target.zettle_client_id or os.environ.get("STOCKSHEET_ZETTLE_CLIENT_ID") or "").strip() \
        if target.platform == "zettle" else ""
    if client_id:
        options["client_id"] = client_id
    token = get_token(url)
    if not token:
        raise InputError(f"No access token for {url}. Set the STOCKSHEET_TOKEN environment variable, or save the "
                         "token in the window's connection dialog (it goes to the OS keyring).")
    if target.basic_user:
        password = get_basic_password(url)
        if not password:
            raise InputError(f"No HTTP Basic password for {url}. Set STOCKSHEET_BASIC_PASSWORD, or save it in the "
                             "window's connection dialog (it goes to the OS keyring).")
        options.update(basic_user=target.basic_user, basic_password=password)
    return connect(target.platform, url, token, **options)
