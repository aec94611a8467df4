"""What a check of a feed did, as data: per store, per file, per check — and the report written
beside each file."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from desktop_app.core.results import RunResult
from desktop_app.engine.feeds.recipe import Feed, Target

EXIT_OK, EXIT_ATTENTION, EXIT_UNREACHABLE = 0, 1, 3


@dataclass(slots=True)
class StoreOutcome:
    target: Target
    status: str                  # applied | attention | tripped | unreachable
    message: str = ""
    result: RunResult | None = None
    code: int = EXIT_OK

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"store": self.target.label, "status": self.status, "message": self.message}
        if self.result is not None:
            out.update({k: v for k, v in self.result.summary().items() if k != "notices"})
        return out


@dataclass(slots=True)
class FileOutcome:
    name: str                    # the file's own name, as it arrived
    path: Path                   # where it is now (done/ or failed/)
    report: Path                 # the feed's report beside it
    rows: int = 0
    guards: list[dict[str, Any]] = field(default_factory=list)
    stores: list[StoreOutcome] = field(default_factory=list)
    problem: str = ""            # the file could not be read at all

    @property
    def code(self) -> int:
        codes = [s.code for s in self.stores] + ([EXIT_ATTENTION] if self.problem or self.guards else [])
        return max(codes, default=EXIT_OK)

    @property
    def status(self) -> str:
        if self.guards:
            return "tripped"
        return {EXIT_OK: "applied", EXIT_ATTENTION: "attention"}.get(self.code, "unreachable")

    def as_json(self) -> dict[str, Any]:
        return {"file": self.name, "path": str(self.path), "report": str(self.report), "status": self.status,
                "rows": self.rows, "guards": self.guards, "problem": self.problem,
                "stores": [s.as_json() for s in self.stores]}


@dataclass(slots=True)
class FeedRun:
    """One check of a feed: the files it took (none when nothing new came)."""

    feed: str
    files: list[FileOutcome] = field(default_factory=list)
    waiting: list[str] = field(default_factory=list)     # still being written: left for the next check
    message: str = ""
    error: bool = False          # the check could not run at all (``message`` says why)

    @property
    def code(self) -> int:
        return max([f.code for f in self.files] + ([EXIT_ATTENTION] if self.error else []), default=EXIT_OK)


def report_text(feed: Feed, outcome: FileOutcome) -> str:
    lines = [f"Feed '{feed.name}' ({feed.source}), file {outcome.name}: {outcome.status}",
             f"Data rows: {outcome.rows:,}"]
    if outcome.problem:
        lines.append(f"The file could not be read: {outcome.problem}")
    if outcome.guards:
        lines.append("Stopped before writing anything to any store — guards tripped:")
        lines += [f"  - {g['guard']} ({g['store']}): {g['message']}" for g in outcome.guards]
        lines.append(f"Check the file; if it is right, apply it anyway: stocksheet feed run {feed.name} "
                     "--apply-anyway (or the window's Feeds page).")
    for s in outcome.stores:
        run = f" (run {s.result.run_id})" if s.result is not None and s.result.run_id else ""
        lines.append(f"{s.target.label}: {s.status}{run} — {s.message}")
        if s.result is not None and s.result.report:
            lines.append(f"  error report: {s.result.report}")
    return "\n".join(lines) + "\n"
