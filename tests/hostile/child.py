"""One hostile input through the readers and the mapper, in a process of its own under an
address-space limit (``RLIMIT_AS``), so a reader that runs away is caught as a failed test, not a
dead test run. Prints one JSON object; anything but a ``StocksheetError`` is a traceback on stderr
and a non-zero exit.

    python child.py PATH LIMIT_BYTES
"""
from __future__ import annotations

import json
import resource
import sys
import time


def main(path: str, limit: int) -> int:
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    started = time.perf_counter()
    from desktop_app.core.errors import StocksheetError
    from desktop_app.core.mapping import detect_mapping
    from desktop_app.core.models import Catalog, Location, Variant
    from desktop_app.core.resolve import resolve
    from desktop_app.core.rows import extract_rows
    from desktop_app.sheets import read_sheet

    catalog = Catalog(locations=[Location(id="L1", name="Main")],
                      variants=[Variant(id="1", product_id="P", sku="A-1"), Variant(id="2", product_id="P", sku="A-2")])
    out: dict[str, object] = {}
    try:
        sheet = read_sheet(path)
        out.update(outcome="read", rows=len(sheet.rows), headers=sheet.headers[:5], encoding=sheet.encoding,
                   first=[str(c) for c in sheet.rows[0][1][:5]] if sheet.rows else [])
        try:
            mapping = detect_mapping(sheet.headers, location_names=["Main"], source=sheet.path)
            rows, issues, _ = extract_rows(sheet, mapping)
            if len(rows) <= 20_000:
                _, more = resolve(rows, catalog)
                issues += more
            out.update(issue_count=len(issues), issues=[i.text() for i in issues[:20]],
                       longest_issue=max((len(i.message) for i in issues), default=0))
        except StocksheetError as exc:
            out["mapping"] = str(exc)
    except StocksheetError as exc:
        out.update(outcome="refused", message=str(exc))
    out.update(seconds=time.perf_counter() - started,
               peak_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], int(sys.argv[2])))
