"""Charts drawn on the server (certportal/charts.py) and their tables."""

import pytest
from django.template.loader import render_to_string

from certportal.charts import Chart, Series


def test_a_line_chart_draws_its_target_marks_failed_months_and_lists_its_figures():
    chart = Chart(
        "First response in time",
        ["2026-08", "2026-09", "2026-10"],
        [Series("Share in time", [96, None, 88.5], marked=[False, False, True], note="failed")],
        kind="line",
        target=95,
        target_label="Target 95 %",
        unit="%",
    )

    svg = str(chart.svg())
    assert svg.count("<circle") == 1  # the month without a figure has no point
    assert svg.count('class="chart-mark"') == 1
    assert "Target 95 %" in svg and 'class="chart-target"' in svg
    assert chart.top() == 100
    html = render_to_string("includes/chart.html", {"chart": chart})
    assert "<table" in html and "88.5 %" in html and "–" in html and "failed" in html


def test_stacked_bars_scale_to_the_highest_stack_and_titles_are_escaped():
    chart = Chart(
        "<b>Requests</b>",
        ["Stage 1", "Stage 2"],
        [Series("Open", [3, 1]), Series("Waiting", [4, 0])],
        stacked=True,
    )

    svg = str(chart.svg())
    assert chart.top() == 8  # four round steps of 2 above the highest stack, 7
    assert svg.count("<rect") == 4
    assert "<b>" not in svg and "&lt;b&gt;Requests&lt;/b&gt;" in svg


def test_an_empty_chart_says_so_and_a_ragged_series_is_refused():
    empty = Chart("Breaches", ["2026-10"], [Series("FRT", [None])])
    assert "No figures for this period yet." in render_to_string(
        "includes/chart.html", {"chart": empty}
    )
    with pytest.raises(ValueError):
        Chart("Bad", ["a", "b"], [Series("x", [1])])


def test_the_axis_is_labelled_with_round_figures():
    chart = Chart("Overdue", ["2026-10", "2026-11"], [Series("Share", [0, 2.1])], unit="%")
    quarter = Chart("Share", ["2026-11"], [Series("Share", [0.9])])

    labels = [
        line.split(">")[-1] for line in str(chart.svg()).split("</text>") if "chart-axis" in line
    ]
    assert labels[:5] == ["0", "1", "2", "3", "4"]
    assert quarter.top() == 1 and "0.25<" in str(quarter.svg())
