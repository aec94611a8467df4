"""Where Stocksheet finds its own non-code files (the sample sheets, the icon), wherever it runs from.

One resolver, two layouts:

* a source checkout or an editable install: the repository's ``resources/`` folder, next to
  the ``desktop_app`` package;
* a PyInstaller bundle: ``resources/`` under the bundle's data folder (``sys._MEIPASS``).

``BUNDLED`` lists what the bundle carries; ``packaging/stocksheet.spec`` builds its ``datas``
from it, so the bundle holds exactly what this resolver is asked for. Stdlib only: no Qt here.
"""
from __future__ import annotations

import sys
from pathlib import Path

__all__ = ["BUNDLED", "RESOURCES", "asset_path", "resources_root"]

RESOURCES = "resources"

# Glob patterns under resources/ that ship in the bundle (the spec reads this). make_samples.py and
# make_icons.py, the scripts that regenerate the samples and the icons, stay out.
BUNDLED: tuple[str, ...] = ("samples/*.xlsx", "samples/*.csv", "icons/stocksheet-*.png")


def resources_root() -> Path:
    """The folder holding Stocksheet's resources: the bundle's copy when frozen, else the repo's."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / RESOURCES
    return Path(__file__).resolve().parents[1] / RESOURCES


def asset_path(*parts: str) -> Path:
    """``asset_path("samples", "demo-long.csv")``: a path under the resources folder.

    The path is not checked for existence; callers that offer optional files test ``is_file()``."""
    return resources_root().joinpath(*parts)
