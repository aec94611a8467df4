"""How fast is load → validate → diff → plan on a 100k-row XLSX, against simply reading it?

Builds a 100,000-row workbook (20,000 variants × 5 locations, long layout), then times, each in a
fresh subprocess (so peak memory is per measurement) and from this one run:

  * bare python-calamine iteration of the file (the floor),
  * openpyxl read-only iteration (the common alternative),
  * Stocksheet's pipeline: read_sheet → detect_mapping → extract_rows → resolve → diff → plan,
    against an in-memory store holding the same catalogue (no network: this measures our code).

Prints the pipeline's time as a ratio to each (goal: ≤ 2.5× bare calamine) and peak RSS.
Usage: python bench/pipeline.py [--rows-per-variant 5] [--variants 20000]
"""
from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def build(path: Path, variants: int, locations: int) -> None:
    import openpyxl
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("Stock")
    ws.append(["Product", "SKU", "Barcode", "Location", "Available"])
    for i in range(variants):
        for j in range(locations):
            ws.append([f"Product {i // 4 + 1}", f"SKU-{i + 1:06d}", f"{2000000000000 + i:013d}", f"Warehouse {j + 1}",
                       (i * 11 + j * 5) % 100])
    wb.save(path)


def store(variants: int, locations: int):
    from desktop_app.core.models import Capabilities, Catalog, Location, Variant
    locs = [Location(id=str(54000 + j), name=f"Warehouse {j + 1}") for j in range(locations)]
    vs = [Variant(id=str(107362235756584 + i), product_id=str(102744589756584 + i // 4), sku=f"SKU-{i + 1:06d}",
                  barcode=f"{2000000000000 + i:013d}") for i in range(variants)]
    live = {(v.id, loc.id): (i * 7 + j * 13) % 100 for i, v in enumerate(vs) for j, loc in enumerate(locs)}
    caps = Capabilities(platform="bench", display_name="Bench", location_noun="warehouse", can_set=True,
                        can_adjust=False, single_location=False, max_chunk=1)

    class MemoryConnector:
        capabilities = caps
        url = "memory://"
        def list_locations(self): return locs
        def list_variants(self): return vs
        def read_levels(self, variant_ids, location_ids):
            vids, lids = set(variant_ids), set(location_ids)
            return {k: v for k, v in live.items() if k[0] in vids and k[1] in lids}
        def apply(self, chunk): raise NotImplementedError
        def close(self): pass

    return MemoryConnector(), Catalog(locations=locs, variants=vs)


def measure(kind: str, path: Path, variants: int, locations: int) -> dict:
    if kind == "pipeline":
        connector, catalog = store(variants, locations)   # built before the clock starts
    t0 = time.perf_counter()
    if kind == "calamine":
        from python_calamine import CalamineWorkbook
        wb = CalamineWorkbook.from_path(str(path))
        n = sum(1 for _ in wb.get_sheet_by_index(0).iter_rows())
    elif kind == "openpyxl":
        import openpyxl
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        n = sum(1 for _ in wb.worksheets[0].iter_rows(values_only=True))
        wb.close()
    else:
        from desktop_app.engine.prepare import prepare
        marks = [("import", time.perf_counter())]  # prepare reports the start of each stage
        preview = prepare(path, connector, catalog=catalog,
                          progress=lambda p: marks.append((p.stage, time.perf_counter())))
        n = len(preview.sheet.rows)
        assert not preview.issues, preview.issues[:3]
        extra = {"changes": len(preview.plan.changes), "unchanged": len(preview.plan.unchanged),
                 "stages": _stages(t0, marks)}
    seconds = time.perf_counter() - t0
    out = {"kind": kind, "rows": n, "seconds": seconds,
           "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
    if kind == "pipeline":
        out.update(extra)
    return out


#: prepare's progress stages, named by the work that follows each one
_STAGE_WORK = {"import": "import", "read": "read", "catalog": "catalog", "map": "map+validate",
               "validate": "resolve", "fetch": "fetch", "diff": "diff+plan"}


def _stages(t0: float, marks: list[tuple[str, float]]) -> dict[str, float]:
    """Seconds per stage from the progress marks (the last mark, "plan", ends the run)."""
    out = {"import": marks[0][1] - t0}
    for (stage, start), (_, end) in zip(marks, marks[1:]):
        out[_STAGE_WORK.get(stage, stage)] = out.get(_STAGE_WORK.get(stage, stage), 0.0) + end - start
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--variants", type=int, default=20_000)
    ap.add_argument("--locations", type=int, default=5)
    ap.add_argument("--measure", choices=["calamine", "openpyxl", "pipeline"])
    ap.add_argument("--file", type=Path)
    args = ap.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.file, args.variants, args.locations)))
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench-100k.xlsx"
        t0 = time.perf_counter()
        build(path, args.variants, args.locations)
        print(f"built {args.variants * args.locations:,}-row XLSX in {time.perf_counter() - t0:.1f}s "
              f"({path.stat().st_size / 1e6:.1f} MB)")
        results = {}
        for kind in ("calamine", "openpyxl", "pipeline"):
            cmd = [sys.executable, __file__, "--measure", kind, "--file", str(path),
                   "--variants", str(args.variants), "--locations", str(args.locations)]
            results[kind] = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)
            r = results[kind]
            print(f"{kind:>9}: {r['seconds']:6.2f}s  {r['rows']:>7,} rows  peak {r['peak_mb']:6.0f} MB")
        p, c, o = (results[k]["seconds"] for k in ("pipeline", "calamine", "openpyxl"))
        print(f"pipeline / bare calamine     = {p / c:.2f}x  (goal ≤ 2.5x)")
        print(f"pipeline / openpyxl read-only = {p / o:.2f}x")
        print(f"openpyxl read-only / calamine = {o / c:.2f}x")
        print(f"plan: {results['pipeline']['changes']:,} changes, {results['pipeline']['unchanged']:,} unchanged")
        stages = results["pipeline"]["stages"]
        print("pipeline stages: " + ", ".join(f"{name} {seconds:.2f}s" for name, seconds in stages.items()))


if __name__ == "__main__":
    main()
