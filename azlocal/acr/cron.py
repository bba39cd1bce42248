"""Cron expressions of ACR timer triggers: five fields (minute hour day-of-month month day-of-week), each
`*`, a number, a range `a-b`, a list `a,b` and an optional step `/n`; Sunday is 0."""

from azlocal.core.errors import ValidationError

_RANGES = [(0, 59), (0, 23), (1, 31), (1, 12), (0, 6)]


def _field_values(field, low, high):
    values = set()
    for part in field.split(","):
        step = 1
        if "/" in part:
            part, step_text = part.split("/", 1)
            step = int(step_text)
        if part == "*":
            start, end = low, high
        elif "-" in part:
            start, end = (int(x) for x in part.split("-", 1))
        else:
            start = end = int(part)
        if start < low or end > high or step < 1:
            raise ValueError(part)
        values.update(range(start, end + 1, step))
    return values


def check_cron(expression):
    fields = expression.split()
    if len(fields) != 5:
        raise ValidationError(f"The schedule '{expression}' is not a valid cron expression (5 fields: minute hour "
                              "day-of-month month day-of-week).")
    try:
        for field, (low, high) in zip(fields, _RANGES):
            _field_values(field, low, high)
    except ValueError as ex:
        raise ValidationError(f"The schedule '{expression}' is not a valid cron expression.") from ex


def cron_matches(expression, when):
    fields = expression.split()
    sets = [_field_values(f, lo, hi) for f, (lo, hi) in zip(fields, _RANGES)]
    weekday = (when.weekday() + 1) % 7  # cron: Sunday is 0
    return (when.minute in sets[0] and when.hour in sets[1] and when.day in sets[2] and when.month in sets[3]
            and weekday in sets[4])
