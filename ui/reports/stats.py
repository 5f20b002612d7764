"""Statistics: passages per hour today, fevers and refusals per day for 14 days (QtCharts, #5).

Takes an app.reports.service.ReportService; the queries are short (indexed by local date), so
they run on the GUI thread when the view is shown or refreshed.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCharts import QBarCategoryAxis, QBarSeries, QBarSet, QChart, QChartView, QValueAxis
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent, QPainter
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from app.i18n import t

# 14 days of MM-DD side by side are elided to "1…" in a narrow window: slanted they stay whole
DAY_LABELS_ANGLE = -60


def _bar_chart(
    title: str, labels: list[str], sets: list[tuple[str, list[int]]], labels_angle: int = 0
) -> QChart:
    chart = QChart()
    chart.setTitle(title)
    series = QBarSeries()
    for name, values in sets:
        bar = QBarSet(name)
        bar.append([float(v) for v in values])
        series.append(bar)
    chart.addSeries(series)
    x = QBarCategoryAxis()
    x.append(labels)
    x.setLabelsAngle(labels_angle)
    y = QValueAxis()
    y.setLabelFormat("%d")
    peak = max([0] + [max(v) if v else 0 for _, v in sets])
    y.setRange(0, max(4, peak))
    y.setTickCount(5)
    y.applyNiceNumbers()  # whole-number ticks: counts of people
    chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
    chart.addAxis(y, Qt.AlignmentFlag.AlignLeft)
    series.attachAxis(x)
    series.attachAxis(y)
    chart.legend().setVisible(len(sets) > 1)
    return chart


class StatsView(QWidget):
    """Two charts and today's totals; call refresh() after records change."""

    def __init__(self, reports: Any, lang: str = "zh", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.reports, self.lang = reports, lang
        self.setWindowTitle(t("stats_title", lang))
        self.totals = QLabel()
        self.totals.setObjectName("totals")
        self.hourly_view = QChartView()
        self.daily_view = QChartView()
        for view in (self.hourly_view, self.daily_view):
            view.setRenderHint(QPainter.RenderHint.Antialiasing)
            view.setMinimumHeight(220)
        again = QPushButton("↻")
        again.clicked.connect(self.refresh)
        layout = QVBoxLayout(self)
        layout.addWidget(self.totals)
        layout.addWidget(self.hourly_view)
        layout.addWidget(self.daily_view)
        layout.addWidget(again)
        self.hourly: list[int] = []
        self.daily: list[dict[str, Any]] = []
        self.refresh()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt API
        """F9 opens it, Esc closes it, like a dialog (#10)."""
        if event.key() == Qt.Key.Key_Escape:
            self.close()
            return
        super().keyPressEvent(event)

    def refresh(self) -> None:
        lang = self.lang
        self.hourly = self.reports.today_hourly()
        self.daily = self.reports.last_days(14)
        self.hourly_view.setChart(
            _bar_chart(
                t("stats_per_hour", lang),
                [f"{h:02d}" for h in range(24)],
                [(t("total_passages", lang), self.hourly)],
            )
        )
        self.daily_view.setChart(
            _bar_chart(
                t("stats_per_day", lang),
                [d["date"][5:] for d in self.daily],
                [
                    (t("count_fever", lang), [d["fever"] for d in self.daily]),
                    (t("count_refused", lang), [d["refused"] for d in self.daily]),
                ],
                DAY_LABELS_ANGLE,
            )
        )
        today = self.daily[-1] if self.daily else {"passages": 0, "fever": 0, "refused": 0}
        self.totals.setText(
            f"{t('total_passages', lang)} {today['passages']}   "
            f"{t('count_fever', lang)} {today['fever']}   "
            f"{t('count_refused', lang)} {today['refused']}"
        )
