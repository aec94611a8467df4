"""The detail pane under a row table: the selected row's full reason and hint, its cells as the
sheet has them (and as edited), and — on the review page — a field to fix the problem cell for
this row or for every row with the same problem."""
from __future__ import annotations

import html

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QTextBrowser, QVBoxLayout, QWidget

from desktop_app.core.results import RowOutcome
from desktop_app.gui.review_data import STATUS_TEXT, ReviewData, problem_label
from desktop_app.gui.words import plural, window_words


class RowDetail(QWidget):
    #: (rows, header, value): set that cell of each of these sheet rows
    fix_requested = Signal(object, str, str)

    def __init__(self, *, editable: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Selected row")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        self.text = QTextBrowser()
        self.text.setAccessibleName("Details of the selected row")
        self.text.setOpenLinks(False)
        self.text.setMinimumHeight(60)
        layout.addWidget(self.text, 1)
        fix = QHBoxLayout()
        self.fix_label = QLabel()
        self.value_box = QComboBox()
        self.value_box.setEditable(True)
        self.value_box.setAccessibleName("New value for the problem cell")
        self.value_box.setMinimumContentsLength(14)
        self.fix_button = QPushButton("Fix this row")
        self.fix_button.setAccessibleName("Fix this row with the new value")
        self.fix_all_button = QPushButton("Replace in all rows with this problem")
        self.fix_all_button.setAccessibleName("Replace in all rows with this problem")
        for w in (self.fix_label, self.value_box, self.fix_button, self.fix_all_button):
            fix.addWidget(w)
        fix.addStretch(1)
        self.fix_row = QWidget()
        self.fix_row.setLayout(fix)
        fix.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.fix_row)
        self.fix_row.setVisible(False)
        self._editable = editable
        self._outcome: RowOutcome | None = None
        self._header: str | None = None
        self._data: ReviewData | None = None
        self.fix_button.clicked.connect(self._on_fix_button_clicked)
        self.fix_all_button.clicked.connect(self._on_fix_all_button_clicked)
        self.value_box.lineEdit().returnPressed.connect(self._on_fix_button_clicked)

    def show_row(self, o: RowOutcome | None, data: ReviewData, *, location_names: list[str]) -> None:
        self._outcome, self._data = o, data
        if o is None:
            self.text.setPlainText("Select a row to see its full reason and the sheet's cells.")
            self.fix_row.setVisible(False)
            return
        parts = [f"<b>Row {o.row}</b> · {STATUS_TEXT[o.status]}"
                 + (f" · {html.escape(problem_label(o.code, o.message))}" if o.code else "")]
        if o.message:
            parts.append(html.escape(window_words(o.message)))
        if o.hint:
            parts.append(f"<i>What to do:</i> {html.escape(window_words(o.hint))}")
        read, now = data.original.get(o.row), data.cells.get(o.row)
        if read is not None and data.headers:
            cells = []
            for i, h in enumerate(data.headers):
                was = read[i] if i < len(read) else None
                is_ = now[i] if now is not None and i < len(now) else was
                text = html.escape("" if was is None else str(was)) or "<span style='color:gray'>(empty)</span>"
                if is_ != was:
                    text += f" → <b>{html.escape('' if is_ is None else str(is_))}</b>"
                cells.append(f"{html.escape(h or f'(column {i + 1})')}: {text}")
            parts.append("<i>In the sheet:</i> " + " &nbsp;·&nbsp; ".join(cells))
        if o.row in data.edited:
            parts.append("<i>Edited in the window; the file itself is unchanged (File ▸ Save corrected sheet… "
                         "writes a copy).</i>")
        self.text.setHtml("<br>".join(parts))
        self._header = data.fix_header(o) if self._editable else None
        self.fix_row.setVisible(self._header is not None)
        if self._header is None:
            return
        same = data.rows_with_problem(o)
        self.fix_label.setText(f"New '{self._header}':")
        self.value_box.clear()
        if self._header == data.location_header:
            self.value_box.addItems(location_names)
        current = data.cell(o.row, self._header)
        self.value_box.setCurrentText("" if current is None else str(current))
        self.fix_all_button.setText(f"Replace in all {plural(len(same), 'row')} with this problem")
        self.fix_all_button.setEnabled(len(same) > 1)

    def _on_fix_button_clicked(self) -> None:
        if self._outcome is not None and self._header is not None:
            self.fix_requested.emit([self._outcome.row], self._header, self.value_box.currentText().strip())

    def _on_fix_all_button_clicked(self) -> None:
        o, data = self._outcome, self._data
        if o is None or data is None or self._header is None:
            return
        rows = [r.row for r in data.rows_with_problem(o)]
        self.fix_requested.emit(rows, self._header, self.value_box.currentText().strip())
