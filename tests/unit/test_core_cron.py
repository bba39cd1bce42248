"""core.cron: the one cron reader (croniter) for ACR timers, job schedules and cron scale rules."""

import datetime

import pytest

from azlocal.core import cron

UTC = datetime.timezone.utc


@pytest.mark.parametrize("expression", ["*/5 * * * *", "0 12 * * Mon-Fri", "0 0 1 Jan *", "15,45 8-17 * * 1-5"])
def test_valid(expression):
    assert cron.is_valid(expression)


@pytest.mark.parametrize("expression", ["* * * *", "* * * * * *", "60 * * * *", "5-1 * * * *", "0 0 * * 7", "x * * * *",
                                        None, "@daily"])
def test_invalid(expression):
    assert not cron.is_valid(expression)


def test_matches_and_next():
    monday_noon = datetime.datetime(2026, 11, 30, 12, 0, 30, tzinfo=UTC)
    assert cron.matches("0 12 * * Mon-Fri", monday_noon)
    assert not cron.matches("0 12 * * Sat,Sun", monday_noon)
    assert cron.next_after("*/15 * * * *", monday_noon) == datetime.datetime(2026, 11, 30, 12, 15, tzinfo=UTC)
    assert cron.next_after("0 0 * * *", datetime.datetime(2026, 12, 31, 23, 59)) == \
        datetime.datetime(2027, 1, 1, 0, 0, tzinfo=UTC)
