"""The shape of a change before its rows: how many levels change, units up and down per location."""
from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QPainter, QPalette
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QWidget

from desktop_app.core.models import Change, Kind
from desktop_app.gui.review_model import delta_colors
from desktop_app.gui.words import plural, units


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
        parts = [f"{t.name}: {plural(t.changes, 'level')}, {units(t.up, t.down)}" for t in self.locations]
        return (f"{plural(self.changes, 'level')} will change ({units(self.up, self.down)}). " + "; ".join(parts) + ".")


class UnitsChart(QWidget):
    """A small chart: per location, units going up (green, right of the axis) and down (red, left)."""

    BAR = 9

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Units up and down per location")
        self.locations: list[LocationTotals] = []
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)

    def set_locations(self, locations: list[LocationTotals]) -> None:
        self.locations = [t for t in locations if t.up or t.down][:6]
        self.setAccessibleDescription("; ".join(f"{t.name}: {units(t.up, t.down)}" for t in self.locations))
        self.setToolTip(self.accessibleDescription())
        self.updateGeometry()
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(260, max(1, len(self.locations)) * (self.BAR + 3) + 2)

    def paintEvent(self, _event) -> None:
        if not self.locations:
            return
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        up, down = delta_colors(self.palette())
        label_w, w = 90, self.width()
        half = (w - label_w) / 2
        axis = label_w + half
        biggest = max(max(t.up, t.down) for t in self.locations) or 1
        font = p.font()
        font.setPointSizeF(max(6.0, font.pointSizeF() * 0.8))
        p.setFont(font)
        for i, t in enumerate(self.locations):
            y = 1 + i * (self.BAR + 3)
            p.setPen(self.palette().color(QPalette.ColorRole.WindowText))
            p.drawText(QRectF(0, y - 2, label_w - 4, self.BAR + 4), Qt.AlignmentFlag.AlignRight
                       | Qt.AlignmentFlag.AlignVCenter, p.fontMetrics().elidedText(t.name, Qt.TextElideMode.ElideRight,
                                                                                   label_w - 6))
            p.setPen(Qt.PenStyle.NoPen)
            if t.up:
                p.setBrush(up)
                p.drawRect(QRectF(axis, y, max(1.0, half * t.up / biggest), self.BAR))
            if t.down:
                p.setBrush(down)
                width = max(1.0, half * t.down / biggest)
                p.drawRect(QRectF(axis - width, y, width, self.BAR))
        p.setPen(self.palette().color(QPalette.ColorRole.Mid))
        p.drawLine(int(axis), 0, int(axis), self.height())
        p.end()


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
        self.chart = UnitsChart()
        layout.addWidget(self.headline)
        layout.addWidget(self.detail, 1)
        layout.addWidget(self.chart)
        self.summary = ChangeSummary()

    def set_summary(self, summary: ChangeSummary) -> None:
        self.summary = summary
        self.chart.set_locations(summary.locations)
        up, down = delta_colors(self.palette())
        if not summary.changes:
            self.headline.setText("No changes")
            self.detail.setText("The store already has every level in this sheet.")
            self.setAccessibleDescription(summary.sentence())
            return
        self.headline.setText(plural(summary.changes, "change"))
        def coloured(n_up: int, n_down: int, tail: str = "") -> str:    # no "+0" or "−0"
            sides = ([f"<span style='color:{up.name()}'>+{n_up:,}{tail}</span>"] if n_up else []) + \
                    ([f"<span style='color:{down.name()}'>−{n_down:,}{tail}</span>"] if n_down else [])
            return " · ".join(sides) or "±0"

        parts = [f"<b>{t.name}</b> {t.changes:,}: {coloured(t.up, t.down)}" for t in summary.locations]
        self.detail.setText(coloured(summary.up, summary.down, " units") + " &nbsp;|&nbsp; " + " &nbsp; ".join(parts))
        self.setAccessibleDescription(summary.sentence())
