"""The Linux desktop entry and AppStream metainfo: valid by the distributions' own validators,
and naming the same id, icon and version as the bundle."""
from __future__ import annotations

import configparser
import re
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
LINUX = REPO / "packaging" / "linux"
APP_ID = "org.stocksheet.Stocksheet"
DESKTOP = LINUX / f"{APP_ID}.desktop"
METAINFO = LINUX / f"{APP_ID}.metainfo.xml"


def desktop_entry(path: Path = DESKTOP) -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str
    parser.read(path, encoding="utf-8")
    return parser["Desktop Entry"]


def test_the_desktop_entry_passes_desktop_file_validate(desktop_file_problems):
    assert desktop_file_problems(DESKTOP) == ""


def test_the_validator_catches_a_broken_entry(tmp_path, desktop_file_problems):
    broken = tmp_path / f"{APP_ID}.desktop"
    broken.write_text(DESKTOP.read_text(encoding="utf-8").replace("Type=Application\n", ""), encoding="utf-8")
    assert "Type" in desktop_file_problems(broken)


def test_the_metainfo_passes_appstreamcli_validate(metainfo_problems):
    assert metainfo_problems(METAINFO) == ""


def test_the_validator_catches_a_broken_metainfo(tmp_path, metainfo_problems):
    broken = tmp_path / f"{APP_ID}.metainfo.xml"
    broken.write_text(re.sub(r"<summary>.*?</summary>", "", METAINFO.read_text(encoding="utf-8")), encoding="utf-8")
    assert "summary" in metainfo_problems(broken)


def test_entry_metainfo_icon_and_spec_agree_on_the_id_the_command_and_the_version():
    entry = desktop_entry()
    root = ET.parse(METAINFO).getroot()
    version = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    assert root.findtext("id") == APP_ID and entry["Icon"] == APP_ID
    assert root.findtext("launchable[@type='desktop-id']") == DESKTOP.name
    assert root.find("releases/release").get("version") == version, "add a <release> for the new version"
    assert entry["Exec"].split()[:2] == ["stocksheet", "gui"] and root.findtext("provides/binary") == "stocksheet"
    assert f'APP_ID = "{APP_ID}"' in (REPO / "packaging" / "stocksheet.spec").read_text(encoding="utf-8")
