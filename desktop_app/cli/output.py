"""How results read on a terminal: the summary, and the table of rows grouped as a person
reads them — changes, then problems by kind, then a count of what is unchanged."""
from __future__ import annotations

from typing import Iterable

from desktop_app.cli.common import out
from desktop_app.core.results import RowOutcome, RunResult, Status
from desktop_app.core.words import plural  # noqa: F401 - the CLI's counting words (re-exported)

#: ``--show`` choices: which rows the table (and ``--json`` ``outcomes``) lists
SHOW = ("all", "changes", "problems", "none")
CHANGES = (Status.APPLIED, Status.PENDING)
PROBLEMS = (Status.INVALID, Status.FAILED, Status.UNVERIFIED, Status.STALE)


def duration(seconds: float) -> str:
    """``under a second``, ``12 s``, ``3 min 20 s``, ``2 h 5 min``."""
    s = round(seconds)
    if s < 1:
        return "under a second"
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min {s % 60} s" if s % 60 else f"{s // 60} min"
    return f"{s // 3600} h {s % 3600 // 60} min"


def chosen(outcomes: Iterable[RowOutcome], show: str, *, dry_run: bool) -> list[RowOutcome]:
    """The outcomes ``--show`` asks for (``all``: every one)."""
    if show == "none":
        return []
    rows = list(outcomes)
    if show == "changes":
        return [o for o in rows if is_change(o, dry_run=dry_run)]
    if show == "problems":
        return [o for o in rows if is_problem(o, dry_run=dry_run)]
    return rows


def is_change(o: RowOutcome, *, dry_run: bool) -> bool:
    return o.status is Status.APPLIED or (dry_run and o.status is Status.PENDING)


def is_problem(o: RowOutcome, *, dry_run: bool) -> bool:
    return o.status in PROBLEMS or (not dry_run and o.status is Status.PENDING)


def print_table(result: RunResult, show: str, *, limit: int = 50) -> None:
    """Changes, then problems grouped by kind, then skipped rows, then a count of unchanged ones."""
    if show == "none":
        return
    dry = result.dry_run
    rows = sorted(result.outcomes, key=lambda o: (o.row, o.column or ""))
    groups: list[tuple[str, list[RowOutcome]]] = []
    if show in ("all", "changes"):
        groups.append(("Changes" if not dry else "Changes it would make", [o for o in rows if is_change(o, dry_run=dry)]))
    if show in ("all", "problems"):
        by_kind: dict[str, list[RowOutcome]] = {}
        for o in rows:
            if is_problem(o, dry_run=dry):
                by_kind.setdefault(o.code or str(o.status), []).append(o)
        groups += [(f"Problems: {kind}", items) for kind, items in by_kind.items()]
    if show == "all":
        groups.append(("Skipped", [o for o in rows if o.status is Status.SKIPPED]))
    printed = False
    for title, items in groups:
        if not items:
            continue
        out(f"{title} ({plural(len(items), 'row')}):")
        _table(items[:limit] if limit else items, dry)
        if limit and len(items) > limit:
            out(f"  … and {len(items) - limit:,} more (--limit 0 lists every one, --json has them all)")
        printed = True
    unchanged = sum(1 for o in rows if o.status is Status.UNCHANGED)
    if show == "all" and unchanged:
        out(f"Unchanged: {plural(unchanged, 'level')} already at the sheet's value.")
    elif not printed and show != "all":
        out(f"No {show} to list.")


def _status(o: RowOutcome, dry_run: bool) -> str:
    return "to change" if dry_run and o.status is Status.PENDING else str(o.status)


def _table(items: list[RowOutcome], dry_run: bool) -> None:
    header = ["Row", "SKU", "Location", "Live → New", "Change", "Status", "Reason"]
    body = [[str(o.row), o.sku or "", o.location or "", _levels(o), _change(o), _status(o, dry_run), _reason(o)]
            for o in items]
    widths = [min(32, max(len(r[i]) for r in [header, *body])) for i in range(len(header) - 1)]
    for r in [header, *body]:
        cells = [(c if len(c) <= w else c[:w - 1] + "…").ljust(w) for c, w in zip(r, widths)]
        out("  " + "  ".join(cells + [r[-1]]).rstrip())


def _levels(o: RowOutcome) -> str:
    if o.before is None and o.after is None:
        return ""
    before = "—" if o.before is None else str(o.before)
    return f"{before} → {'' if o.after is None else o.after}"


def _change(o: RowOutcome) -> str:
    if isinstance(o.before, int) and isinstance(o.after, int) and not isinstance(o.before, bool):
        d = o.after - o.before
        return f"+{d:,}" if d > 0 else f"−{-d:,}" if d < 0 else "0"
    if o.before is None and o.after is not None:
        return "new"
    return ""


def _reason(o: RowOutcome) -> str:
    text = o.message
    if o.hint and o.status is not Status.APPLIED:
        text = f"{text} {o.hint}".strip()
    return " ".join(text.split())


def print_reading(r: dict) -> None:
    """How the sheet was read (``engine.reading``), before the table."""
    where = f", sheet '{r['sheet']}'" if r.get("sheet") else ""
    text = f", {r['encoding']}" if r.get("encoding") else ""
    if r.get("encoding") not in (None, "utf-8", "utf-8-sig"):
        text += " (another one: --encoding NAME)"
    delimiter = {"\t": "tab", ",": "','", ";": "';'", "|": "'|'"}.get(r.get("delimiter") or "", "")
    out(f"Read {r['file']}{where}: {r['format'].upper()}{text}"
        + (f", delimiter {delimiter}" if delimiter else "")
        + f", header on row {r['header_row']}, layout {r['layout_text']}.")
    for c in r["columns"]:
        guess = (f" — a guess ({c['confidence']:.0%} sure): --map '{c['header']}=ROLE' if it is wrong"
                 if c["guess"] else "")
        out(f"  column {c['column']} '{c['header']}': {c['role']}{guess}")
    for repair in r["repairs"]:
        out(f"  row {repair['row']}: {repair['repair']}")
    for name, store in r["locations"].items():
        out(f"  location '{name}' in the sheet is the store's '{store}' (--location)")
    out(f"  duplicates: {r['duplicates']}")


def print_summary(result: RunResult) -> None:
    for notice in result.notices:
        out(f"Note: {notice}")
    counts = counts_line(result)
    out(counts)
    if not result.dry_run:
        out(f"{plural(result.applied, 'level')} applied, each read back at its target "
            f"({plural(result.requests, 'request')}).")
    else:
        out(f"{plural(result.changes, 'level')} would change, in {plural(result.requests, 'request')}.")
        if result.estimate and result.changes:
            e = result.estimate
            took = duration(e["seconds"])
            out(f"The import would take {'' if took == 'under a second' else 'about '}{took}: "
                f"{plural(e['requests'], 'request')} ({plural(e['writes'], 'write')}, {plural(e['reads'], 'read')} "
                f"of the live levels before and after writing) at the platform's rate ({e['rate']}).")
    if result.cancelled:
        out("The run stopped before finishing; what was not applied is listed as pending. "
            f"`stocksheet resume {result.run_id}` finishes it.")
    if result.unverified:
        out(f"{plural(result.unverified, 'written level')} could not be read back to check them; "
            f"`stocksheet resume {result.run_id}` reads them again.")
    if result.report:
        out(f"Error report: {result.report} (fix the rows and import it again)")


def counts_line(result: RunResult) -> str:
    """rows = applied + unchanged + skipped + stale + failed + invalid (+ pending, + unverified)."""
    c = row_counts(result)
    parts = [f"{c[k]:,} {k}" for k in ("applied" if not result.dry_run else "to change", "unchanged", "skipped",
                                        "stale", "failed", "invalid", "pending", "unverified")
             if k in c and (c[k] or k in ("applied", "to change", "unchanged", "invalid"))]
    return f"{plural(c['rows'], 'row')}: " + ", ".join(parts)


def row_counts(result: RunResult) -> dict[str, int]:
    """Sheet rows by their worst outcome; they add up to ``rows``."""
    from desktop_app.core.results import sheet_status
    by_row = sheet_status(result.outcomes)
    c = {"rows": result.rows, "to change" if result.dry_run else "applied": 0, "unchanged": 0, "skipped": 0,
         "stale": 0, "failed": 0, "invalid": 0, "pending": 0, "unverified": 0}
    for outcomes in by_row.values():
        status = outcomes[0].status
        key = "to change" if (result.dry_run and status is Status.PENDING) else str(status)
        c[key] = c.get(key, 0) + 1
    return c
