"""Judging counts against targets: exact, inclusive, with no database."""

from decimal import Decimal
from fractions import Fraction
from types import SimpleNamespace

import pytest

from kpi.judging import (
    FAIL,
    NO_DATA,
    PASS,
    as_decimal,
    as_json_number,
    format_figures,
    format_remedy,
    format_target,
    format_value,
    judge,
    meets,
    nps_classic,
    nps_counts,
    nps_mean,
    remedy,
)
from kpi.models import KPI


def at_most(value):
    return SimpleNamespace(comparison="at_most", value=Decimal(value))


def at_least(value):
    return SimpleNamespace(comparison="at_least", value=Decimal(value))


@pytest.mark.parametrize(
    ("numerator", "denominator", "status"),
    [(1, 100, PASS), (2, 199, FAIL), (2, 200, PASS), (0, 1, PASS), (1, 99, FAIL)],
)
def test_response_overdue_at_most_one_percent_is_inclusive_and_exact(
    numerator, denominator, status
):
    """R5.4: at most 1 % of the month's cases overdue on response; 1 of 100 passes, 2 of 199
    fails."""
    value, got = judge(KPI.RESPONSE_OVERDUE_RATE, numerator, denominator, at_most("0.01"))
    assert (value, got) == (Fraction(numerator, denominator), status)


@pytest.mark.parametrize(
    ("numerator", "denominator", "status"), [(5, 100, PASS), (6, 100, FAIL), (10, 199, FAIL)]
)
def test_resolution_overdue_at_most_five_percent(numerator, denominator, status):
    """R5.5: at most 5 % of the month's cases overdue on resolution."""
    assert judge(KPI.RESOLUTION_OVERDUE_RATE, numerator, denominator, at_most("0.05"))[1] == status


@pytest.mark.parametrize(
    ("numerator", "denominator", "status"), [(7, 100, PASS), (6, 100, FAIL), (0, 3, FAIL)]
)
def test_csat_response_rate_at_least_seven_percent(numerator, denominator, status):
    """R5.2: rated cases / cases, at least 7 % (inclusive)."""
    assert judge(KPI.CSAT_RESPONSE_RATE, numerator, denominator, at_least("0.07"))[1] == status


@pytest.mark.parametrize(
    ("numerator", "denominator", "status"), [(4, 5, PASS), (79, 99, FAIL), (0, 0, NO_DATA)]
)
def test_csat_positive_share_at_least_eighty_percent(numerator, denominator, status):
    """R5.3: ratings of 4–5 / ratings, at least 80 %; no rating is no data."""
    assert judge(KPI.CSAT_POSITIVE_SHARE, numerator, denominator, at_least("0.80"))[1] == status


@pytest.mark.parametrize(("escalated", "status"), [(0, PASS), (2, PASS), (3, FAIL)])
def test_escalations_at_most_two(escalated, status):
    """R5.6: at most 2 escalated cases in the month; the value is the count."""
    value, got = judge(KPI.ESCALATIONS, escalated, 50, at_most("2"))
    assert (value, got) == (escalated, status)


def test_no_case_is_no_data_never_a_failure():
    for kpi in (KPI.RESPONSE_OVERDUE_RATE, KPI.ESCALATIONS, KPI.CSAT_RESPONSE_RATE):
        assert judge(kpi, 0, 0, at_most("0")) == (None, NO_DATA)


def test_nps_mean_at_least_seven_and_a_half():
    """R5.1: the mean score of the half-year's answers, at least 7.5 (inclusive)."""
    assert judge(KPI.NPS_MEAN, 15, 2, at_least("7.5")) == (Fraction(15, 2), PASS)
    assert judge(KPI.NPS_MEAN, 74, 10, at_least("7.5"))[1] == FAIL
    assert judge(KPI.NPS_MEAN, 0, 0, at_least("7.5")) == (None, NO_DATA)


def test_classic_nps_is_computed_but_decides_nothing():
    """R5.1: the classic NPS (% of 9–10 minus % of 0–6) is shown, never failed."""
    counts = nps_counts([10, 9, 8, 6, 0])
    assert counts == {"total": 33, "answers": 5, "promoters": 2, "detractors": 2}
    assert nps_classic(2, 2, 5) == 0
    assert nps_classic(3, 1, 4) == 50
    assert nps_mean(33, 5) == Fraction(33, 5)
    assert nps_mean(0, 0) is None
    assert judge(KPI.NPS_CLASSIC, -4, 4, None) == (Fraction(-100), PASS)
    assert judge(KPI.NPS_CLASSIC, 0, 0, None) == (None, NO_DATA)


def test_targets_are_shown_as_people_read_them():
    assert format_target(KPI.RESPONSE_OVERDUE_RATE, at_most("0.0100")) == "at most 1 %"
    assert format_target(KPI.CSAT_POSITIVE_SHARE, at_least("0.8000")) == "at least 80 %"
    assert format_target(KPI.ESCALATIONS, at_most("2.0000")) == "at most 2"
    assert format_target(KPI.NPS_MEAN, at_least("7.5000")) == "at least 7.5"
    assert format_target(KPI.NPS_CLASSIC, None) == ""
    assert format_target(KPI.NPS_CLASSIC, at_least("0")) == ""


def test_an_unknown_comparison_is_an_error_not_a_verdict():
    with pytest.raises(ValueError, match="Unknown comparison 'between'"):
        meets(Fraction(1, 2), "between", Decimal("0.5"))


@pytest.mark.parametrize("target", [Decimal("0.5"), Fraction(1, 2), 0])
def test_a_target_may_be_a_decimal_a_fraction_or_an_integer(target):
    assert meets(Fraction(1, 2), "at_least", target)
    assert meets(Fraction(1, 2), "at_most", target) == (target != 0)


def test_values_in_json_are_exact_counts_or_fractions():
    """Escalations are a count (2, not 2.0); rates and means are numbers; no data is null."""
    count = as_json_number(KPI.ESCALATIONS, Fraction(2))
    assert (count, type(count)) == (2, int)
    assert as_json_number(KPI.RESPONSE_OVERDUE_RATE, Fraction(1, 100)) == 0.01
    assert type(as_json_number(KPI.NPS_MEAN, Fraction(15, 2))) is float
    assert as_json_number(KPI.ESCALATIONS, None) is None


def test_values_are_stored_to_six_decimal_places():
    assert as_decimal(Fraction(1, 3)) == Decimal("0.333333")
    assert as_decimal(Fraction(2, 3)) == Decimal("0.666667")
    assert as_decimal(None) is None


@pytest.mark.parametrize(
    ("kpi", "value", "shown"),
    [
        (KPI.RESPONSE_OVERDUE_RATE, Fraction(2, 199), "1.01 %"),
        (KPI.CSAT_POSITIVE_SHARE, Fraction(4, 5), "80 %"),
        (KPI.ESCALATIONS, Fraction(3), "3"),
        (KPI.NPS_MEAN, Fraction(149, 20), "7.45"),
        (KPI.NPS_MEAN, Fraction(15, 2), "7.5"),
        (KPI.NPS_CLASSIC, Fraction(-100, 3), "-33.33"),
        (KPI.NPS_MEAN, None, "no data"),
    ],
)
def test_values_are_shown_as_people_read_them(kpi, value, shown):
    assert format_value(kpi, value) == shown


def test_the_figures_behind_a_verdict_name_the_counts():
    """R5.8 The reason of a revocation quotes the figures."""
    assert (
        format_figures(KPI.RESPONSE_OVERDUE_RATE, 2, 199, Fraction(2, 199)) == "2 of 199 = 1.01 %"
    )
    assert format_figures(KPI.ESCALATIONS, 3, 40, Fraction(3)) == "3 escalated of 40 cases"
    assert format_figures(KPI.NPS_MEAN, 149, 20, Fraction(149, 20)) == "7.45 from 20 answers"
    assert format_figures(KPI.NPS_CLASSIC, -1, 3, Fraction(-100, 3)) == "-33.33 from 3 answers"


@pytest.mark.parametrize(
    ("kpi", "count", "said"),
    [
        (KPI.CSAT_POSITIVE_SHARE, 1, "1 more positive rating would bring it back"),
        (KPI.CSAT_POSITIVE_SHARE, 3, "3 more positive ratings would bring it back"),
        (KPI.CSAT_RESPONSE_RATE, 1, "1 more rated case would bring it back"),
        (KPI.CSAT_RESPONSE_RATE, 2, "2 more rated cases would bring it back"),
        (KPI.RESPONSE_OVERDUE_RATE, 1, "1 more case answered in time would bring it back"),
        (KPI.RESPONSE_OVERDUE_RATE, 5, "5 more cases answered in time would bring it back"),
        (KPI.RESOLUTION_OVERDUE_RATE, 1, "1 more case resolved in time would bring it back"),
        (KPI.RESOLUTION_OVERDUE_RATE, 9, "9 more cases resolved in time would bring it back"),
    ],
)
def test_the_remedy_of_a_warning_is_said_in_words(kpi, count, said):
    assert format_remedy(kpi, count) == f"{said} within the target."


def test_a_remedy_that_cannot_be_is_said_so():
    assert format_remedy(KPI.ESCALATIONS, None) == "It can no longer meet its target this month."


def test_seven_is_passive_not_a_detractor():
    """R5.1 Detractors answer 0–6: a 7 is passive, a 6 detracts."""
    assert nps_counts([7, 6])["detractors"] == 1


def test_no_answer_has_no_classic_nps():
    assert nps_classic(0, 0, 0) is None


@pytest.mark.parametrize(
    ("kpi", "numerator", "denominator", "threshold", "count"),
    [
        # Passing already: nothing to bring back, whatever the formula would say.
        (KPI.CSAT_RESPONSE_RATE, 10, 100, at_least("0.07"), 0),
        (KPI.RESPONSE_OVERDUE_RATE, 1, 100, at_most("0.01"), 0),
        (KPI.CSAT_POSITIVE_SHARE, 9, 10, at_least("0.80"), 0),
        # No target, or not a monthly case KPI: no remedy to give.
        (KPI.RESPONSE_OVERDUE_RATE, 5, 100, None, None),
        (KPI.NPS_MEAN, 70, 10, at_least("7.5"), None),
        (KPI.NPS_MEAN, 80, 10, at_least("7.5"), None),
        (KPI.NPS_CLASSIC, -1, 1, at_least("0"), None),
        # Failing: the fewest that bring it back.
        (KPI.RESPONSE_OVERDUE_RATE, 2, 100, at_most("0.01"), 100),
        (KPI.CSAT_RESPONSE_RATE, 5, 100, at_least("0.07"), 2),
        (KPI.CSAT_POSITIVE_SHARE, 7, 10, at_least("0.80"), 5),
        (KPI.RESOLUTION_OVERDUE_RATE, 6, 100, at_most("0.05"), 20),
    ],
)
def test_the_remedy_is_the_fewest_that_bring_a_kpi_back(
    kpi, numerator, denominator, threshold, count
):
    assert remedy(kpi, numerator, denominator, threshold, month_over=False) == count


def test_a_rate_is_a_number_in_json_even_when_whole():
    whole = as_json_number(KPI.CSAT_POSITIVE_SHARE, Fraction(1))
    assert (whole, type(whole)) == (1.0, float)


def test_a_value_of_an_unknown_kpi_is_an_error():
    with pytest.raises(ValueError, match="Unknown KPI 'speed'"):
        format_value("speed", Fraction(1))
