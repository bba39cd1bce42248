"""Argument types the keyvault commands share, as az's keyvault module defines them."""

from datetime import datetime, timezone

EXPIRES = "Expiration UTC datetime (Y-m-d'T'H:M:S'Z')."
NOT_BEFORE = "Not usable before the provided UTC datetime (Y-m-d'T'H:M:S'Z')."
_FORMATS = ("%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%MZ", "%Y-%m-%dT%HZ", "%Y-%m-%d")


def datetime_type(text):
    """A UTC datetime as az takes --expires / --not-before (2017-12-31T01:11:59Z, …T01:11Z, …T01Z, 2017-12-31);
    anything else is argparse's error (exit 2)."""
    for form in _FORMATS:
        try:
            return datetime.strptime(text, form).replace(tzinfo=timezone.utc)
        except ValueError:
            pass
    raise ValueError(f"Input '{text}' not valid. Valid example: 2000-12-31T12:59:59Z")
