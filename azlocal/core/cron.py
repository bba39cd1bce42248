"""Cron expressions of five fields (minute hour day-of-month month day-of-week, in UTC), for every schedule
azlocal fires: ACR task timers, container-app job schedules and KEDA cron scale rules. croniter reads and
matches them (names such as `Jan` or `Mon-Fri`, ranges, lists, steps; day-of-month and day-of-week
restricted together match either, as cron does). Stricter than croniter, as Azure's NCrontab and KEDA are:
Sunday is 0 only (not 7), and a range runs forwards (`5-1` is refused, not wrapped)."""

import datetime
import re

from croniter import croniter


def is_valid(expression):
    """Whether `expression` is a five-field cron expression croniter can read."""
    if not isinstance(expression, str) or len(expression.split()) != 5:
        return False
    fields = expression.split()
    for index, field in enumerate(fields):
        for low, high in re.findall(r"(\d+)-(\d+)", field):
            if int(low) > int(high):
                return False
        if index == 4 and any(int(n) > 6 for n in re.findall(r"(?<![/\d])(\d+)", field)):
            return False
    return croniter.is_valid(expression)


def matches(expression, when):
    """Whether the minute of `when` (a datetime; naive means UTC) is one the expression fires on."""
    when = when.replace(second=0, microsecond=0)
    return croniter.match(expression, when)


def next_after(expression, when):
    """The first minute after `when` that the expression fires on (a UTC datetime)."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.timezone.utc)
    return croniter(expression, when).get_next(datetime.datetime)
