"""`key=value` arguments, parsed one way for every service.

az takes lists like `--env-vars A=1 B=2`, `--tags a=1 b`, `--set-secret k=v`; they differ only in
whether a bare `key` is allowed and what the error says when it is not.
"""

from azlocal.core.errors import ValidationError


def pairs(items, *, error=None, strip_quotes=False):
    """[(key, value)] in the given order. With `error` (a message, or a callable taking the item), an
    item without `=` or with an empty key raises ValidationError; without it such an item is (item, "")."""
    out = []
    for item in items or []:
        key, sep, value = item.partition("=")
        if (not sep or not key) and error is not None:
            raise ValidationError(error(item) if callable(error) else error)
        if strip_quotes:
            key, value = key.strip("'\""), value.strip("'\"")
        out.append((key, value))
    return out


def pairs_dict(items, **kwargs):
    """`pairs` as a dict: a later key replaces an earlier one."""
    return dict(pairs(items, **kwargs))
