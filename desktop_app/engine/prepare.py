"""Prepare an import: read → map → validate → resolve → fetch live levels → diff → plan.

Everything up to the plan; nothing is written. A dry run is exactly this. The result, a
``Preview``, is what the window's review table shows and what ``submit`` executes.
"""
from __future__ import annotations

import dataclasses
import gc
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from desktop_app.core.columns import on_hand_columns
from desktop_app.core.diff import diff
from desktop_app.core.edits import apply_edits, shown_equal
from desktop_app.core.issues import NOTICES, STOCK_NOT_MANAGED, RowIssue
from desktop_app.core.mapping import SheetMapping, detect_mapping
from desktop_app.core.models import Capabilities, Catalog, Change, Kind, KeyKind, Mode, Plan, RawSheet, Target
from desktop_app.core.plan import make_plan
from desktop_app.core.progress import CancelToken, ProgressCallback, Progress, no_progress
from desktop_app.core.errors import CancelledError, MappingError
from desktop_app.core.resolve import DuplicatePolicy, resolve
from desktop_app.core.results import RowOutcome, RunResult, Status
from desktop_app.core.rows import extract_rows
from desktop_app.core.words import plural
from desktop_app.engine.reads import read_pairs
from desktop_app.engine.retry import patiently
from desktop_app.engine.sheet_choice import choose_encoding, sheet_notices
from desktop_app.platforms.base import Connector
from desktop_app.sheets.reader import read_sheet


@dataclass(slots=True)
class ImportOptions:
    key: KeyKind | None = None                    # None: SKU, then barcode, then variant id
    sheet: str | None = None                      # workbook sheet name
    overrides: dict[str, str] = field(default_factory=dict)        # header → role ("Menge": "available")
    duplicates: DuplicatePolicy = DuplicatePolicy.ERROR
    location_aliases: dict[str, str] = field(default_factory=dict)  # sheet location text → location id
    force_stale: bool = False                     # write set-rows whose live level moved since the user saw it
    #: cells fixed in place (row number → {header: value}): applied to a copy, never to the file
    edits: dict[int, dict[str, object]] = field(default_factory=dict)
    header_row: int | None = None                 # the sheet row holding the header (None: detected)
    encoding: str | None = None                   # a text sheet's encoding (None: detected, then the catalogue's)


#: options that only change what is done with the rows once read: a re-check with only these
#: changed may start again from the sheet already read (``Preview.original``)
AFTER_READING = ("key", "overrides", "duplicates", "location_aliases", "force_stale", "edits")


def same_reading(a: ImportOptions, b: ImportOptions) -> bool:
    """Whether ``a`` and ``b`` read the file the same way (every option not in AFTER_READING)."""
    keep = {name: getattr(a, name) for name in AFTER_READING}
    return a == b or dataclasses.replace(b, **keep) == a


@dataclass(slots=True)
class Preview:
    sheet: RawSheet
    mapping: SheetMapping
    capabilities: Capabilities
    catalog: Catalog
    changes: list[Change]          # every diffed level, including unchanged and stale
    plan: Plan
    issues: list[RowIssue]
    skipped: list[int]             # sheet rows with a blank target ("no change")
    options: ImportOptions
    #: why this store would refuse every write (a read-only token), said before anything is sent
    write_problem: str | None = None
    #: sentences the user should read before applying (how a platform will reach a target, …)
    notices: list[str] = field(default_factory=list)
    #: (sheet row, how an Excel-damaged key was repaired), for "how the sheet was read"
    repairs: list[tuple[int, str]] = field(default_factory=list)
    #: the sheet as read, before ``options.edits`` (the same object as ``sheet`` when there are none)
    original: RawSheet | None = None
    #: why no row could be read with this mapping (``prepare(keep_mapping_problem=True)``): the
    #: window shows the mapping step with it instead of stopping
    mapping_problem: str | None = None

    @property
    def invalid_rows(self) -> set[int]:
        return {i.row for i in self.issues if i.code not in NOTICES}

    def outcomes(self) -> list[RowOutcome]:
        """Every row's status before submitting: invalid, skipped, unchanged, stale or pending.

        Notices (a duplicate superseded by a later row with ``--duplicates last``, or merged
        into one with ``sum``) are SKIPPED with their explanation, not invalid."""
        out = self.row_problems()
        for c in self.changes:
            out.append(change_outcome(c))
        return out

    def row_problems(self) -> list[RowOutcome]:
        """The invalid and skipped rows' outcomes only (no per-change objects: cheap on 100k rows)."""
        out = [RowOutcome(row=i.row, status=Status.SKIPPED if i.code in NOTICES else Status.INVALID,
                          column=i.column, code=i.code, message=i.message, hint=i.hint)
               for i in self.issues]
        out += [RowOutcome(row=r, status=Status.SKIPPED, message="Blank target: no change requested.") for r in self.skipped]
        return out

    def result(self) -> RunResult:
        """The dry-run result: what would happen."""
        return summarise(self, self.outcomes(), requests=self.plan.requests, dry_run=True)

    def all_notices(self) -> list[str]:
        return ([self.write_problem] if self.write_problem else []) + self.mapping.warnings + self.notices


def change_outcome(c: Change, *, status: Status | None = None, message: str = "", code: str = "") -> RowOutcome:
    if status is None:
        if c.kind is Kind.UNCHANGED:
            status = Status.UNCHANGED
        elif c.kind is Kind.STALE:
            status = Status.STALE
            code = code or "stale"
            message = message or (f"The live level of {c.sku or c.variant_id} at {c.location_name} is {c.before}, "
                                  f"but the sheet says you saw {c.seen}: it changed since the sheet was made (a sale?). "
                                  "Not written.")
        else:
            status = Status.PENDING
    hint = ""
    if status is Status.STALE:
        hint = ("Export the stock again and redo the edit, or overwrite it on purpose: tick 'Overwrite stale "
                "levels' in the window, or import with --force-stale.")
    return RowOutcome(row=c.row, status=status, column=c.column, code=code, message=message, hint=hint,
                      variant_id=c.variant_id, location_id=c.location_id, before=c.before, after=c.after,
                      sku=c.sku or (c.variant.barcode if c.variant else None) or c.variant_id,
                      location=c.location_name or c.location_id)


def summarise(preview: Preview, outcomes: list[RowOutcome], *, requests: int, dry_run: bool,
              cancelled: bool = False) -> RunResult:
    invalid_rows = {o.row for o in outcomes if o.status is Status.INVALID}
    count = {s: 0 for s in Status}
    for o in outcomes:
        count[o.status] += 1
    return RunResult(
        rows=len(preview.sheet.rows), valid=len(preview.sheet.rows) - len(invalid_rows), invalid=len(invalid_rows),
        unchanged=count[Status.UNCHANGED], changes=len(preview.plan.changes), applied=count[Status.APPLIED],
        failed=count[Status.FAILED], stale=count[Status.STALE], unverified=count[Status.UNVERIFIED],
        requests=requests, dry_run=dry_run, notices=preview.all_notices(),
        cancelled=cancelled, outcomes=outcomes, encoding=preview.sheet.encoding, no_data_rows=not preview.sheet.rows)


def fetch_catalog(connector: Connector, *, cancel: CancelToken | None = None) -> Catalog:
    return Catalog(locations=patiently(connector.list_locations, cancel=cancel),
                   variants=patiently(connector.list_variants, cancel=cancel))


def prepare(source: str | Path | RawSheet, connector: Connector, options: ImportOptions | None = None, *,
            catalog: Catalog | None = None, progress: ProgressCallback = no_progress,
            cancel: CancelToken | None = None, keep_mapping_problem: bool = False,
            shown: Preview | None = None) -> Preview:
    """Read and check a sheet against the store. Raises InputError (unreadable sheet, unusable
    mapping) or PlatformError (store unreachable, token refused); row problems are data.
    ``keep_mapping_problem``: an unusable mapping (no key or quantity column) gives a Preview
    with no rows and ``mapping_problem`` set instead of a MappingError. ``shown``: the preview
    this re-checks (still shown meanwhile); its changes are reused wherever they are equal."""
    # A 100k-row sheet becomes several hundred thousand objects, none of them garbage: the cyclic
    # collector would walk them again and again to find nothing (a third of the time, measured).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _prepare(source, connector, options, catalog=catalog, progress=progress, cancel=cancel,
                        keep_mapping_problem=keep_mapping_problem, shown=shown.changes if shown else None)
    finally:
        if collecting:
            _age_survivors()
            gc.enable()


def _age_survivors() -> None:
    """Move every object the collector tracks into its oldest generation, unvisited.

    What prepare leaves alive is long-lived (the preview); the first young collection after it
    would walk all of it once more (~60 ms for 100k rows) only to promote it. ``freeze`` then
    ``unfreeze`` promotes it at no cost; garbage cycles among it are still found by the next full
    collection. When objects are already frozen (the window, ``gui.runner``, keeps a frozen
    generation of what it shows), the survivors join that generation instead: unfreezing would
    thaw the window's own objects, and left young, the first young collection after prepare walks
    all of them holding the GIL (250 ms on 100k rows in bench/ui_stall.py)."""
    if gc.get_freeze_count():
        gc.freeze()
        return
    gc.freeze()
    gc.unfreeze()


def _prepare(source: str | Path | RawSheet, connector: Connector, options: ImportOptions | None, *,
             catalog: Catalog | None, progress: ProgressCallback, cancel: CancelToken | None,
             keep_mapping_problem: bool = False, shown: list[Change] | None = None) -> Preview:
    options = options or ImportOptions()
    cancel = cancel or CancelToken()
    steps = 6

    def step(n: int, stage: str, message: str) -> None:
        if cancel.cancelled:
            raise CancelledError("Preparing the import was cancelled.")
        progress(Progress(stage=stage, done=n, total=steps, message=message))

    step(0, "read", "Reading the sheet…")
    original = source if isinstance(source, RawSheet) else read_sheet(source, sheet=options.sheet,
                                                                      header_row=options.header_row,
                                                                      encoding=options.encoding)
    sheet = apply_edits(original, options.edits)
    caps = connector.capabilities
    step(1, "catalog", f"Loading the store's locations and variants ({plural(len(sheet.rows), 'row')} read)…")
    catalog = catalog or fetch_catalog(connector, cancel=cancel)
    if len(original.encodings) > 1 and not options.encoding:   # a short legacy CSV: the store's names decide
        chosen = choose_encoding(original, catalog, overrides=options.overrides, read=lambda name: read_sheet(
            original.path, header_row=options.header_row, encoding=name))
        if chosen is not original:
            original, sheet = chosen, apply_edits(chosen, options.edits)
    write_access = getattr(connector, "write_access", None)   # a token that can read but not write
    write_problem = patiently(write_access, cancel=cancel) if write_access else None
    step(2, "map", "Mapping columns…")
    mapping = detect_mapping(sheet.headers, location_names=[loc.name for loc in catalog.locations],
                             overrides=options.overrides, source=sheet.path, strict=not keep_mapping_problem)
    single = caps.single_location or caps.location_optional or len(catalog.locations) == 1
    mapping_problem = None
    try:
        rows, issues, skipped = extract_rows(sheet, mapping, key=options.key, single_location=single,
                                             allow_infinite=caps.supports_infinite)
    except MappingError as exc:
        if not keep_mapping_problem:
            raise
        rows, issues, skipped, mapping_problem = [], [], [], str(exc)
    if caps.single_location:
        # A platform with one stock-holding location (Zettle's STORE): the sheet's location names
        # all mean that location (resolve sends rows without one to the only/default location).
        for r in rows:
            r.location_ref = None
    step(3, "validate", f"Matching {plural(len(rows), 'row')} to variants and locations…")
    targets, resolve_issues = resolve(rows, catalog, duplicates=options.duplicates,
                                      location_aliases=options.location_aliases)
    # Each stage's intermediates go as soon as the next one has what it needs: on 100k rows they
    # are tens of MB, and a re-check builds them while the shown preview is still alive.
    del rows
    issues += resolve_issues
    targets, unmanaged = _managed(targets, caps)
    issues += unmanaged
    step(4, "fetch", f"Reading live stock for {plural(len(targets), 'level')}…")
    variant_ids, location_ids = {t.variant.id for t in targets}, {t.location.id for t in targets}
    live = {}
    if mapping_problem is None:
        live = read_pairs(connector, [(t.variant.id, t.location.id) for t in targets],
                          lambda read: patiently(read, cancel=cancel))
        _on_hand_to_available(targets, mapping, connector, variant_ids, location_ids, cancel=cancel)
    step(5, "diff", "Comparing with live stock…")
    repairs = [(t.row, t.repaired) for t in targets if t.repaired]
    changes, diff_issues = _diff_sharing(targets, live, caps, shown)
    del targets, live
    issues += diff_issues
    if options.force_stale:
        changes = [_unstale(c) for c in changes]
    plan = make_plan(changes, caps)
    notices = sheet_notices(sheet) + _write_paths(connector, plan.changes)
    step(6, "plan", f"{plural(len(plan.changes), 'change')} in {plural(plan.requests, 'request')}.")
    return Preview(sheet=sheet, mapping=mapping, capabilities=caps, catalog=catalog, changes=changes, plan=plan,
                   issues=issues, skipped=skipped, options=options, write_problem=write_problem, notices=notices,
                   repairs=repairs, original=original,
                   mapping_problem=mapping_problem)


#: targets diffed at a time by a re-check (each slice's changes are swapped for the shown ones)
_DIFF_SLICE = 4096


def _diff_sharing(targets: list[Target], live: dict, caps: Capabilities,
                  shown: list[Change] | None) -> tuple[list[Change], list[RowIssue]]:
    """``diff``, reusing the ``shown`` preview's Change objects where the new one is equal.

    A re-check after one fixed cell finds 100k changes, all but a few equal to the shown ones;
    diffing slice by slice (never splitting a row: ``diff`` drops a row's changes together) and
    keeping the shown objects means the two previews never hold two copies (~15 MB per 100k)."""
    if not shown or any(a.row > b.row for a, b in zip(shown, islice(shown, 1, None))):
        return diff(targets, live, caps)
    changes: list[Change] = []
    issues: list[RowIssue] = []
    i, n = 0, len(targets)
    while i < n:
        j = min(i + _DIFF_SLICE, n)
        while j < n and targets[j].row == targets[j - 1].row:
            j += 1
        found, problems = diff(targets[i:j], live, caps)
        changes += [shown_equal(c, shown) for c in found]
        issues += problems
        i = j
    return changes, issues


def _managed(targets: list[Target], caps: Capabilities) -> tuple[list[Target], list[RowIssue]]:
    """Variants whose stock the store does not manage (Genstore ``inventoryManagement: false``)
    are reported, never written."""
    kept, issues = [], []
    for t in targets:
        if t.variant.extra.get("inventory_management") is False:
            issues.append(RowIssue(t.row, t.column, STOCK_NOT_MANAGED,
                                   f"{caps.display_name} does not manage stock for {t.variant.sku or t.variant.id} "
                                   "(inventory management is off for this variant), so its level cannot be set.",
                                   hint="Turn inventory management on for the variant in the store, then import again."))
        else:
            kept.append(t)
    return kept, issues


def _on_hand_to_available(targets: list[Target], mapping: SheetMapping, connector: Connector,
                          variant_ids: set[str], location_ids: set[str], *, cancel: CancelToken) -> None:
    """A column counting stock *on hand* (Shopify's ``On hand (new)``) means available + committed:
    subtract the committed stock the store reports so the write means what the column says. Where
    the store reports none, the column is written as available and the mapping says so."""
    on_hand = {c.header for c in on_hand_columns(mapping)}
    if not on_hand:
        return
    reader = getattr(connector, "read_committed", None)
    committed = patiently(lambda: reader(variant_ids, location_ids), cancel=cancel) if reader else None
    if committed is None:
        if reader is not None:
            mapping.warnings.append(
                f"{connector.capabilities.display_name} does not report committed stock, so '{sorted(on_hand)[0]}' "
                "(stock on hand) is written as available stock; map an Available column instead if the sheet has one.")
        return
    seen = mapping.seen_column()
    seen_on_hand = seen is not None and seen.header in on_hand
    for t in targets:
        held = committed.get((t.variant.id, t.location.id), 0)
        if not held:
            continue
        if t.column in on_hand and t.mode is Mode.SET and isinstance(t.quantity, int):
            t.quantity -= held
        if seen_on_hand and t.seen is not None:
            t.seen -= held


def _write_paths(connector: Connector, changes: list[Change]) -> list[str]:
    """What the connector says about how it will reach some targets (Shoplazza's disconnect and
    reconnect path), one sentence per kind of path."""
    describe = getattr(connector, "write_path", None)
    if describe is None:
        return []
    return list(dict.fromkeys(note for c in changes if (note := describe(c))))


def _unstale(c: Change) -> Change:
    if c.kind is not Kind.STALE:
        return c
    c = dataclasses.replace(c)     # never the object a shown preview may share
    if c.before is None:
        c.kind = Kind.BIND
    elif c.after == c.before:
        c.kind = Kind.UNCHANGED
    elif isinstance(c.after, int) and isinstance(c.before, int):
        c.kind = Kind.INCREASE if c.after > c.before else Kind.DECREASE
        c.delta = c.after - c.before
    else:
        c.kind = Kind.INCREASE
    return c
