"""Cron expressions of ACR timer triggers, checked with ACR's wording; reading and matching are
azlocal.core.cron's (croniter)."""

from azlocal.core import cron
from azlocal.core.errors import ValidationError


def check_cron(expression):
    if len(expression.split()) != 5:
        raise ValidationError(f"The schedule '{expression}' is not a valid cron expression (5 fields: minute hour "
                              "day-of-month month day-of-week).")
    if not cron.is_valid(expression):
        raise ValidationError(f"The schedule '{expression}' is not a valid cron expression.")


def cron_matches(expression, when):
    return cron.matches(expression, when)
