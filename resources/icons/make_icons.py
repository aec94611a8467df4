"""Render Stocksheet's icon from ``stocksheet.svg`` into every file a desktop needs.

    python resources/icons/make_icons.py [--out DIR]

Writes, next to this script (or into DIR):

* ``stocksheet-<N>.png`` for N in ``SIZES`` — the window's icon (all sizes, Qt picks) and the Linux
  hicolor theme icons the ``.desktop`` file names;
* ``stocksheet.ico`` — the Windows ``.exe`` icon (PNG-compressed entries, 16…256);
* ``stocksheet.icns`` — the macOS ``.app`` icon (PNG entries, 16…512).

Rendered by Qt's own SVG renderer (QtSvg ships in pyside6-essentials), so the output depends only
on the SVG and the pinned PySide6: ``tests/packaging/test_icons.py`` re-renders and compares.
The ICO and ICNS containers are written here (both are a table of PNGs), not by an image plugin.
"""
from __future__ import annotations

import argparse
import os
import struct
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "stocksheet.svg"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)        # 256 is the largest an ICO entry can say
ICNS_TYPES = {16: b"icp4", 32: b"icp5", 64: b"icp6", 128: b"ic07", 256: b"ic08", 512: b"ic09"}


def render_png(renderer, size: int) -> bytes:
    """The SVG rendered at ``size``×``size`` on a transparent background, as PNG bytes."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
    from PySide6.QtGui import QImage, QPainter
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):
        raise SystemExit(f"make_icons: Qt could not encode a {size}px PNG")
    return bytes(data)


def ico(pngs: dict[int, bytes]) -> bytes:
    """An ICO file holding ``pngs`` (size → PNG bytes) as PNG-compressed entries."""
    header = struct.pack("<HHH", 0, 1, len(pngs))
    offset = len(header) + 16 * len(pngs)
    entries, blobs = b"", b""
    for size, png in sorted(pngs.items()):
        side = 0 if size >= 256 else size                  # 0 means 256 in an ICO entry
        entries += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(png), offset + len(blobs))
        blobs += png
    return header + entries + blobs


def icns(pngs: dict[int, bytes]) -> bytes:
    """An ICNS file holding ``pngs`` under the PNG element types macOS reads."""
    body = b"".join(ICNS_TYPES[size] + struct.pack(">I", 8 + len(png)) + png for size, png in sorted(pngs.items()))
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE, help="folder to write into (default: next to the SVG)")
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtSvg import QSvgRenderer
    app = QGuiApplication.instance() or QGuiApplication([sys.argv[0]])  # noqa: F841 (keeps Qt's GUI state alive)
    renderer = QSvgRenderer(str(SOURCE))
    if not renderer.isValid():
        raise SystemExit(f"make_icons: Qt could not read {SOURCE}")
    pngs = {size: render_png(renderer, size) for size in SIZES}
    args.out.mkdir(parents=True, exist_ok=True)
    for size, png in pngs.items():
        (args.out / f"stocksheet-{size}.png").write_bytes(png)
    (args.out / "stocksheet.ico").write_bytes(ico({s: pngs[s] for s in ICO_SIZES}))
    (args.out / "stocksheet.icns").write_bytes(icns({s: pngs[s] for s in ICNS_TYPES}))
    print(f"make_icons: {len(pngs)} PNGs, stocksheet.ico and stocksheet.icns in {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
