"""The shape of a change before its rows: how many levels change, units up and down per location."""
from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QWidget

from desktop_app.core.models import Change, Kind
from desktop_app.gui.review_model import delta_colors


@dataclass(slots=True)
class LocationTotals:
    name: str
    changes: int = 0
    up: int = 0        # units added
    down: int = 0      # units removed


@dataclass(slots=True)
class ChangeSummary:
    changes: int = 0
    up: int = 0
    down: int = 0
    locations: list[LocationTotals] = field(default_factory=list)

    @classmethod
    def build(cls, changes: list[Change]) -> "ChangeSummary":
        """Plain Python over the plan's changes (runs in the worker)."""
        by_loc: dict[str, LocationTotals] = {}
        total = cls()
        for c in changes:
            if c.kind in (Kind.UNCHANGED, Kind.STALE):
                continue
            t = by_loc.setdefault(c.location_id, LocationTotals(name=c.location_name))
            t.changes += 1
            total.changes += 1
            d = c.delta if isinstance(c.delta, int) else (c.after if isinstance(c.after, int) and c.before is None else 0)
            if d > 0:
                t.up += d
                total.up += d
            elif d < 0:
                t.down -= d
                total.down -= d
        total.locations = sorted(by_loc.values(), key=lambda t: t.name.lower())
        return total

    def sentence(self) -> str:
        if not self.changes:
            return "Nothing to change: the store already has these levels."
        parts = [f"{t.name}: {t.changes:,} levels, +{t.up:,} / −{t.down:,} units" for t in self.locations]
        return (f"{self.changes:,} levels will change (+{self.up:,} / −{self.down:,} units). " + "; ".join(parts) + ".")


class SummaryStrip(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Summary of the changes")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.headline = QLabel()
        self.headline.setObjectName("summaryHeadline")
        self.headline.setStyleSheet("font-weight: 600;")
        self.detail = QLabel()
        self.detail.setWordWrap(True)
        self.detail.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        layout.addWidget(self.headline)
        layout.addWidget(self.detail, 1)
        self.summary = ChangeSummary()

    def set_summary(self, summary: ChangeSummary) -> None:
        self.summary = summary
        up, down = delta_colors(self.palette())
        if not summary.changes:
            self.headline.setText("No changes")
            self.detail.setText("The store already has every level in this sheet.")
            self.setAccessibleDescription(summary.sentence())
            return
        self.headline.setText(f"{summary.changes:,} changes")
        parts = [f"<b>{t.name}</b> {t.changes:,}: <span style='color:{up.name()}'>+{t.up:,}</span> "
                 f"<span style='color:{down.name()}'>−{t.down:,}</span>" for t in summary.locations]
        self.detail.setText(f"<span style='color:{up.name()}'>+{summary.up:,} units</span> · "
                            f"<span style='color:{down.name()}'>−{summary.down:,} units</span>"
                            f" &nbsp;|&nbsp; " + " &nbsp; ".join(parts))
        self.setAccessibleDescription(summary.sentence())
