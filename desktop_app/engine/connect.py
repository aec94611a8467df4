"""A store's connector from its saved secrets: the one place the CLI and the feeds look up a
store's token (and a Marketplacer site's HTTP Basic password) in the environment or the OS
keyring (``engine.credentials``), and say what to do when one is missing.

May import core, engine.credentials and platforms; never a face (cli, gui).
"""
from __future__ import annotations

import os
from typing import Any

from desktop_app.core.errors import InputError
from desktop_app.engine.credentials import get_basic_password, get_token
from desktop_app.platforms.base import Connector


def connect_saved(platform: str, url: str, *, client_id: str | None = None, basic_user: str | None = None,
                  removal_location: str | None = None) -> Connector:
    """The connector of ``platform`` at ``url`` (checked: HTTPS except loopback). ``client_id``:
    a Zettle API key's client id (else ``STOCKSHEET_ZETTLE_CLIENT_ID``; other platforms ignore
    both); ``basic_user``: a Marketplacer site behind HTTP Basic. Raises InputError naming the
    missing secret and where to put it."""
    from desktop_app.platforms.http import check_url
    from desktop_app.platforms.registry import connect
    url = check_url(url.strip())
    options: dict[str, Any] = {}
    if removal_location:
        options["removal_location"] = removal_location
    client_id = (client_id or os.environ.get("STOCKSHEET_ZETTLE_CLIENT_ID") or "").strip() \
        if platform == "zettle" else ""   # the environment's may be set for every shell: Zettle's alone
    if client_id:
        options["client_id"] = client_id
    token = get_token(url)
    if not token:
        what = "Zettle API key" if client_id else "access token"
        raise InputError(f"No {what} for {url}. Set the STOCKSHEET_TOKEN environment variable"
                         f"{' to the API key' if client_id else ''}, or save it in the window's connection dialog "
                         "(it goes to the OS keyring).")
    if basic_user is not None:
        password = get_basic_password(url)
        if not password:
            raise InputError(f"No HTTP Basic password for {url}. Set the STOCKSHEET_BASIC_PASSWORD environment "
                             "variable, or save it in the window's connection dialog (it goes to the OS keyring).")
        options.update(basic_user=basic_user.strip(), basic_password=password)
    return connect(platform, url, token, **options)


def reconnect_options(connector: Connector) -> dict[str, str]:
    """The non-secret options ``connect_saved`` needs to reach ``connector``'s store again (a Zettle
    API key's client id, a Marketplacer site's HTTP Basic user): journalled with each run, so its
    resume and undo connect as the run did without the flags being given again."""
    return {str(k): str(v) for k, v in (getattr(connector, "reconnect", None) or {}).items()}


__all__ = ["connect_saved", "reconnect_options"]
