"""Cron expressions of ACR timer triggers: five fields (minute hour day-of-month month day-of-week), each
`*`, a number, a range `a-b`, a list `a,b` and an optional step `/n`; Sunday is 0. Months and days of the
week may be named by their English three-letter names (`Jan`, `Mon-Fri`), as ACR's NCrontab reads them."""

from azlocal.core.errors import ValidationError

_RANGES = [(0, 59), (0, 23), (1, 31), (1, 12), (0, 6)]
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
_NAMES = {3: {n: i + 1 for i, n in enumerate(_MONTHS)}, 4: {n: i for i, n in enumerate(_DAYS)}}


def _number(text, names):
    return names[text.lower()] if text.lower() in names else int(text)


def _field_values(field, low, high, names=None):
    names = names or {}
    values = set()
    for part in field.split(","):
        step = 1
        if "/" in part:
            part, step_text = part.split("/", 1)
            step = int(step_text)
        if part == "*":
            start, end = low, high
        elif "-" in part:
            start, end = (_number(x, names) for x in part.split("-", 1))
        else:
            start = end = _number(part, names)
            if step > 1:  # `a/n`: from a to the field's end, every n
                end = high
        if start < low or end > high or start > end or step < 1:
            raise ValueError(part)
        values.update(range(start, end + 1, step))
    return values


def check_cron(expression):
    fields = expression.split()
    if len(fields) != 5:
        raise ValidationError(f"The schedule '{expression}' is not a valid cron expression (5 fields: minute hour "
                              "day-of-month month day-of-week).")
    try:
        for index, (field, (low, high)) in enumerate(zip(fields, _RANGES)):
            _field_values(field, low, high, _NAMES.get(index))
    except ValueError as ex:
        raise ValidationError(f"The schedule '{expression}' is not a valid cron expression.") from ex


def cron_matches(expression, when):
    fields = expression.split()
    sets = [_field_values(f, lo, hi, _NAMES.get(i)) for i, (f, (lo, hi)) in enumerate(zip(fields, _RANGES))]
    weekday = (when.weekday() + 1) % 7  # cron: Sunday is 0
    return (when.minute in sets[0] and when.hour in sets[1] and when.day in sets[2] and when.month in sets[3]
            and weekday in sets[4])
