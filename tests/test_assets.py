"""The one resolver for Stocksheet's own files, in a checkout and in a PyInstaller bundle, and the
spec's data files built from the same table (so the bundle carries what the resolver serves)."""
from __future__ import annotations

import ast
import fnmatch
import shutil
import sys
from pathlib import Path

import pytest

from desktop_app import app
from desktop_app.assets import BUNDLED, RESOURCES, asset_path, resources_root

REPO = Path(__file__).resolve().parents[1]
SPEC = REPO / "packaging" / "stocksheet.spec"


@pytest.fixture
def checkout(monkeypatch):
    monkeypatch.delattr(sys, "_MEIPASS", raising=False)


@pytest.fixture
def bundle(tmp_path, monkeypatch):
    """A fake one-folder bundle: ``sys._MEIPASS`` points at an empty data folder."""
    root = tmp_path / "_internal"
    root.mkdir()
    monkeypatch.setattr(sys, "_MEIPASS", str(root), raising=False)
    return root


def spec_datas() -> list[tuple[str, str]]:
    """Run the spec's own ``bundled_datas()`` (without PyInstaller) and return its (source, dest)."""
    tree = ast.parse(SPEC.read_text(encoding="utf-8"))
    func = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "bundled_datas")
    namespace = {"Path": Path, "ROOT": REPO, "RESOURCES": RESOURCES, "BUNDLED": BUNDLED}
    exec(compile(ast.Module(body=[func], type_ignores=[]), str(SPEC), "exec"), namespace)
    return namespace["bundled_datas"]()


def test_in_a_checkout_assets_resolve_to_the_repository_resources_folder(checkout):
    assert resources_root() == REPO / "resources"
    assert asset_path("samples", "demo-long.csv") == REPO / "resources" / "samples" / "demo-long.csv"
    assert asset_path("samples", "demo-long.csv").is_file()


def test_in_a_checkout_the_window_is_offered_every_sample_in_order(checkout):
    assert [p.name for p in app.sample_sheets()] == app.SAMPLE_ORDER
    assert all(p.parent == REPO / "resources" / "samples" for p in app.sample_sheets())


def test_in_a_bundle_assets_resolve_under_the_bundle_data_folder(bundle):
    assert resources_root() == bundle / "resources"
    assert asset_path("samples", "demo-long.csv") == bundle / "resources" / "samples" / "demo-long.csv"


def test_in_a_bundle_the_window_offers_the_bundled_samples_and_skips_missing_ones(bundle):
    samples = bundle / "resources" / "samples"
    samples.mkdir(parents=True)
    (samples / "demo-long.csv").write_text("SKU,Location,Available\nTS-BLK-S,Main Warehouse,20\n", encoding="utf-8")

    assert app.sample_sheets() == [samples / "demo-long.csv"]


def test_every_bundled_pattern_ships_a_file_and_covers_every_sample_the_window_offers():
    for pattern in BUNDLED:
        assert list((REPO / RESOURCES).glob(pattern)), pattern
    for name in app.SAMPLE_ORDER:
        assert any(fnmatch.fnmatch(f"samples/{name}", p) for p in BUNDLED), name
    assert not any(fnmatch.fnmatch("samples/make_samples.py", p) for p in BUNDLED)


def test_a_bundle_laid_out_from_the_spec_datas_offers_the_same_samples_as_the_checkout(bundle, monkeypatch):
    for source, dest in spec_datas():
        (bundle / dest).mkdir(parents=True, exist_ok=True)
        for file in Path(source).parent.glob(Path(source).name):
            shutil.copy(file, bundle / dest / file.name)

    bundled = [p.relative_to(bundle / "resources") for p in app.sample_sheets()]
    monkeypatch.delattr(sys, "_MEIPASS")
    in_checkout = [p.relative_to(REPO / "resources") for p in app.sample_sheets()]
    assert bundled == in_checkout and len(bundled) == len(app.SAMPLE_ORDER)


def test_the_readme_lists_every_reading_of_every_platform():
    """The matrix of readings in the README stays the one the sandbox and the contract suite use."""
    from desktop_app.sandbox import registry

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    matrix = readme[readme.index("### Readings of the docs"):]
    for platform in registry.PLATFORMS:
        for reading in registry.readings(platform):
            star = " ★" if reading.reported else ""
            assert f"| {platform.capitalize()} | `{reading.name}`{star} |" in matrix, (platform, reading.name)
