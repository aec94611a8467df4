"""Render the Summary sheet of a demo stock report through LibreOffice, for the README.

    make summary-picture        # = .venv/bin/python docs/summary_picture.py docs/summary.png

Starts the Genstore demo sandbox in-process, exports an XLSX report (low stock at 5), has headless
LibreOffice print it to PDF with one page per sheet, and turns the Summary page into a PNG with
poppler's ``pdftoppm`` (Debian: ``apt-get install libreoffice-calc poppler-utils``).
"""
from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from desktop_app.engine.export import ExportOptions, write_stock_report  # noqa: E402
from desktop_app.platforms.registry import connect  # noqa: E402
from desktop_app.sandbox.http import SandboxServer  # noqa: E402
from desktop_app.sandbox.registry import create_app  # noqa: E402

PDF_FILTER = 'pdf:calc_pdf_Export:{"SinglePageSheets":{"type":"boolean","value":"true"}}'


def main(target: Path) -> None:
    soffice = shutil.which("soffice")
    if soffice is None or shutil.which("pdftoppm") is None:
        sys.exit("Needs LibreOffice (soffice) and pdftoppm: apt-get install libreoffice-calc poppler-utils")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        app = create_app("genstore", catalog="demo", rate="none")
        with SandboxServer(app) as server:
            connector = connect("genstore", server.url, app.token)
            report = folder / "stock.xlsx"
            write_stock_report(connector, report, options=ExportOptions(low_stock=5))
            connector.close()
        subprocess.run([soffice, f"-env:UserInstallation={(folder / 'profile').as_uri()}", "--headless",
                        "--convert-to", PDF_FILTER, "--outdir", str(folder), str(report)], check=True,
                       capture_output=True)
        subprocess.run(["pdftoppm", "-f", "2", "-l", "2", "-singlefile", "-png", "-r", "96",
                        str(folder / "stock.pdf"), str(target.with_suffix(""))], check=True)
    print(f"wrote {target}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/summary.png"))
