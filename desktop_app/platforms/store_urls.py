"""What a store URL looks like on each platform, and the sentence for one that cannot be right.

Pure string checks, before any request: a URL whose host belongs to another platform, or one
copied from the browser with an admin or API path. ``URL_HELP`` is what ``--url`` means per
platform (the CLI's ``--help``, the connection dialog).
"""
from __future__ import annotations

from urllib.parse import urlsplit

#: host suffixes of each platform's real stores (Marketplacer sites use their own domains)
HOSTS: dict[str, tuple[str, ...]] = {
    "genstore": (".genmystore.com", ".genmystore.ai"),
    "shoplazza": (".myshoplaza.com",),
    "zettle": ("izettle.com", "zettle.com"),
}
NAMES = {"genstore": "Genstore", "zettle": "Zettle", "marketplacer": "Marketplacer", "shoplazza": "Shoplazza"}
URL_HELP: dict[str, str] = {
    "genstore": "https://YOURSHOP.genmystore.com",
    "zettle": "https://inventory.izettle.com (the same for every Zettle account; the token says whose)",
    "marketplacer": "https://YOUR-MARKETPLACE-DOMAIN (the site's own address, e.g. https://bestfriendbazaar.com)",
    "shoplazza": "https://YOURSHOP.myshoplaza.com",
}
#: paths a browser shows that are not the store's address
_ADMIN = ("/admin", "/api/", "/openapi/", "/organizations/", "/account", "/dashboard")
LOOPBACK = ("127.0.0.1", "localhost", "::1")


def _platform_of(host: str) -> str | None:
    return next((p for p, suffixes in HOSTS.items()
                 if any(host == s.lstrip(".") or host.endswith(s if s.startswith(".") else "." + s) or host == s
                        for s in suffixes)), None)


def url_problem(platform: str, url: str) -> str | None:
    """A sentence saying why ``url`` cannot be ``platform``'s store and what to give instead."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    if host in LOOPBACK and parts.scheme == "https":
        return (f"{url} asks for https, but a sandbox on this machine serves plain http: use "
                f"http://{parts.netloc}{parts.path.rstrip('/')} as it printed.")
    if not host or host in LOOPBACK:
        return None
    owner = _platform_of(host)
    if owner is not None and owner != platform:
        return (f"{url} is a {NAMES[owner]} address, but --platform is {platform}: use --platform {owner}, or give "
                f"your {NAMES[platform]} store's URL: {URL_HELP[platform]}.")
    path = parts.path.rstrip("/")
    if path and (any(path.lower().startswith(p.rstrip("/")) for p in _ADMIN) or platform != "marketplacer"):
        base = f"{parts.scheme}://{parts.netloc}"
        return (f"{url} has a path ({path}): give the store's address alone, {base} — Stocksheet adds the API "
                "paths itself.")
    return None
