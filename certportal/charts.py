"""Charts drawn as SVG on the server: no script, no network, the same picture in every browser.

A `Chart` is a set of series over categories (months, stages, KPIs), drawn as bars or lines,
with an optional target line and marked points (a failed month). The page shows it with

    {% include "includes/chart.html" with chart=chart %}

which puts the figures beside the picture as a table: screen readers read the table, people
copy from it, and the picture itself is a labelled image.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 52, 12, 14, 46
SERIES_CLASSES = 8  # portal.css colours .chart-s0 … .chart-s7


@dataclass(frozen=True)
class Series:
    """One row of figures, a value (or None: no figure) per category. `marked` flags values
    drawn with a warning mark, e.g. the months a KPI failed; `note` is what a mark means."""

    name: str
    values: Sequence[float | int | Decimal | None]
    marked: Sequence[bool] = ()
    note: str = ""


@dataclass(frozen=True)
class Chart:
    """Series over `categories`, as bars (side by side, or `stacked`) or as lines."""

    title: str
    categories: Sequence[str]
    series: Sequence[Series]
    kind: str = "bar"  # "bar" or "line"
    stacked: bool = False
    target: float | int | Decimal | None = None
    target_label: str = ""
    unit: str = ""
    ident: str = field(default="chart")

    def __post_init__(self):
        if self.kind not in ("bar", "line"):
            raise ValueError(f"Unknown chart kind {self.kind!r}")
        for series in self.series:
            if len(series.values) != len(self.categories):
                raise ValueError(f"Series {series.name!r} has not one value per category")

    @property
    def is_empty(self) -> bool:
        return not any(value is not None for s in self.series for value in s.values)

    def figure(self, value) -> str:
        """A value as the table shows it, in the reader's locale."""
        if value is None:
            return "–"
        text = number_format(value, decimal_pos=None if float(value).is_integer() else 1)
        return f"{text} {self.unit}".strip() if self.unit else text

    def legend(self) -> list[tuple[str, str]]:
        """Each series' name and the CSS class of its colour."""
        return [(s.name, f"chart-s{n % SERIES_CLASSES}") for n, s in enumerate(self.series)]

    def rows(self) -> list[dict]:
        """The table beside the chart: a row per category, a cell per series."""
        return [
            {
                "category": category,
                "cells": [
                    {
                        "text": self.figure(s.values[index]),
                        "marked": bool(s.marked and s.marked[index]),
                        "note": s.note,
                    }
                    for s in self.series
                ],
            }
            for index, category in enumerate(self.categories)
        ]

    def top(self) -> float:
        """The value at the top of the axis: a round number above every figure and target."""
        values = [float(self.target)] if self.target is not None else []
        if self.stacked:
            values += [
                sum(float(s.values[i] or 0) for s in self.series)
                for i in range(len(self.categories))
            ]
        else:
            values += [float(v) for s in self.series for v in s.values if v is not None]
        highest = max(values, default=0.0)
        if highest <= 0:
            return 1.0
        # Four grid steps of a round size (1, 2 or 5 times a power of ten), so that every
        # label on the axis is a round figure.
        magnitude = 10 ** math.floor(math.log10(highest / 4))
        for step in (1, 2, 2.5, 5, 10):
            if highest <= 4 * step * magnitude:
                return 4 * step * magnitude
        return 40 * magnitude  # pragma: no cover - the loop's last step always fits

    def svg(self) -> SafeString:
        plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
        top = self.top()

        def y(value) -> float:
            return TOP + plot_h - plot_h * float(value) / top

        count = max(len(self.categories), 1)
        slot = plot_w / count
        parts = [
            f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
            f'aria-labelledby="{escape(self.ident)}-title" xmlns="http://www.w3.org/2000/svg">',
            f'<title id="{escape(self.ident)}-title">{escape(self.title)}</title>',
        ]
        for step in range(5):
            value = top * step / 4
            label = self._axis_figure(value, top / 4)
            parts.append(
                f'<line class="chart-grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" '
                f'y1="{y(value):.1f}" y2="{y(value):.1f}"/>'
                f'<text class="chart-axis" x="{LEFT - 6}" y="{y(value) + 4:.1f}" '
                f'text-anchor="end">{escape(label)}'
                "</text>"
            )
        # Every category named when the names fit; else every second, third…, so that they
        # never run into one another (about 9 units a character, the picture shrunk).
        longest = max((len(str(category)[:14]) for category in self.categories), default=1)
        every = max(1, math.ceil(longest * 9 / slot))
        for index, category in enumerate(self.categories):
            if index % every == 0:
                x = LEFT + slot * (index + 0.5)
                parts.append(
                    f'<text class="chart-axis" x="{x:.1f}" y="{HEIGHT - BOTTOM + 16}" '
                    f'text-anchor="middle">{escape(str(category)[:14])}</text>'
                )
        parts += self._bars(slot, y) if self.kind == "bar" else self._lines(slot, y)
        if self.target is not None:
            ty = y(self.target)
            parts.append(
                f'<line class="chart-target" x1="{LEFT}" x2="{WIDTH - RIGHT}" '
                f'y1="{ty:.1f}" y2="{ty:.1f}"><title>{escape(self.target_label)}</title></line>'
                f'<text class="chart-target-label" x="{WIDTH - RIGHT}" y="{ty - 4:.1f}" '
                f'text-anchor="end">{escape(self.target_label)}</text>'
            )
        parts.append("</svg>")
        return mark_safe("".join(parts))

    @staticmethod
    def _axis_figure(value: float, step: float) -> str:
        """A grid line's figure, with as many decimals as its step needs (0.25 → 2)."""
        decimals = 0
        while decimals < 4 and abs(step * 10**decimals - round(step * 10**decimals)) > 1e-9:
            decimals += 1
        return number_format(round(value, decimals), decimal_pos=decimals)

    def _bars(self, slot, y) -> list[str]:
        parts = []
        bottom = y(0)
        shown = list(self.series)
        for index, category in enumerate(self.categories):
            x0 = LEFT + slot * index + slot * 0.12
            inner = slot * 0.76
            base = 0.0
            for number, series in enumerate(shown):
                value = series.values[index]
                if value is None:
                    continue
                if self.stacked:
                    x, width = x0, inner
                    top_y, height = y(base + float(value)), y(base) - y(base + float(value))
                    base += float(value)
                else:
                    width = inner / len(shown)
                    x = x0 + width * number
                    top_y, height = y(value), bottom - y(value)
                label = f"{category} · {series.name}: {self.figure(value)}"
                parts.append(
                    f'<rect class="chart-s{number % SERIES_CLASSES}" x="{x:.1f}" '
                    f'y="{top_y:.1f}" width="{max(width - 1, 1):.1f}" height="{height:.1f}">'
                    f"<title>{escape(label)}</title></rect>"
                )
        return parts

    @staticmethod
    def _polyline(css: str, run: list[str]) -> list[str]:
        """A line through consecutive points; a single point has no line, only its dot."""
        return (
            [f'<polyline class="{css} chart-line" points="{" ".join(run)}"/>']
            if len(run) > 1
            else []
        )

    def _lines(self, slot, y) -> list[str]:
        parts = []
        for number, series in enumerate(self.series):
            css = f"chart-s{number % SERIES_CLASSES}"
            run: list[str] = []
            points = []
            for index, value in enumerate(series.values):
                if value is None:
                    parts += self._polyline(css, run)
                    run = []
                    continue
                x = LEFT + slot * (index + 0.5)
                run.append(f"{x:.1f},{y(value):.1f}")
                points.append((x, y(value), index, value))
            parts += self._polyline(css, run)
            for x, point_y, index, value in points:
                marked = bool(series.marked and series.marked[index])
                label = f"{self.categories[index]} · {series.name}: {self.figure(value)}"
                if marked and series.note:
                    label += f" ({series.note})"
                if marked:
                    parts.append(
                        f'<path class="chart-mark" d="M{x - 5:.1f},{point_y - 5:.1f} '
                        f"L{x + 5:.1f},{point_y + 5:.1f} M{x + 5:.1f},{point_y - 5:.1f} "
                        f'L{x - 5:.1f},{point_y + 5:.1f}"><title>{escape(label)}</title></path>'
                    )
                else:
                    parts.append(
                        f'<circle class="{css}" cx="{x:.1f}" cy="{point_y:.1f}" r="3">'
                        f"<title>{escape(label)}</title></circle>"
                    )
        return parts
