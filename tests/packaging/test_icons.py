"""The icon files are what resources/icons/make_icons.py renders from the SVG, in every size."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QImage, QImageReader

REPO = Path(__file__).resolve().parents[2]
ICONS = REPO / "resources" / "icons"
SIZES = [16, 24, 32, 48, 64, 128, 256, 512]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("icons")
    subprocess.run([sys.executable, str(ICONS / "make_icons.py"), "--out", str(out)], check=True,
                   capture_output=True, text=True, timeout=120)
    return out


def frames(path: Path) -> dict[int, QImage]:
    reader = QImageReader(str(path))
    images = {}
    for n in range(reader.imageCount()):
        reader.jumpToImage(n)
        image = reader.read()
        assert not image.isNull(), f"{path.name} frame {n}: {reader.errorString()}"
        images[image.width()] = image
    return images


def test_every_committed_png_is_what_the_script_renders_from_the_svg_now(rendered, qapp):
    for size in SIZES:
        committed = QImage(str(ICONS / f"stocksheet-{size}.png"))
        fresh = QImage(str(rendered / f"stocksheet-{size}.png"))
        assert (committed.width(), committed.height()) == (size, size)
        assert committed.convertToFormat(QImage.Format.Format_ARGB32) == \
            fresh.convertToFormat(QImage.Format.Format_ARGB32), \
            f"stocksheet-{size}.png is stale: run .venv/bin/python resources/icons/make_icons.py and commit"
    assert sorted(p.name for p in ICONS.glob("stocksheet-*.png")) == sorted(f"stocksheet-{s}.png" for s in SIZES)


def test_the_icon_is_drawn_not_blank_transparent_at_the_corners_and_opaque_in_the_middle(qapp):
    image = QImage(str(ICONS / "stocksheet-256.png"))
    assert image.pixelColor(0, 0).alpha() == 0
    assert image.pixelColor(128, 128).alpha() == 255
    assert len({image.pixel(x, y) for x in range(0, 256, 8) for y in range(0, 256, 8)}) > 5


def test_the_windows_ico_and_the_macos_icns_hold_each_size_and_match_the_pngs(rendered, qapp):
    for name, sizes in (("stocksheet.ico", [16, 24, 32, 48, 64, 128, 256]),
                        ("stocksheet.icns", [16, 32, 64, 128, 256, 512])):
        images = frames(ICONS / name)
        assert sorted(images) == sizes, name
        for size, image in images.items():
            png = QImage(str(ICONS / f"stocksheet-{size}.png")).convertToFormat(QImage.Format.Format_ARGB32)
            assert image.convertToFormat(QImage.Format.Format_ARGB32) == png, f"{name} {size}px"
        assert (ICONS / name).read_bytes() == (rendered / name).read_bytes(), f"{name} is stale"
