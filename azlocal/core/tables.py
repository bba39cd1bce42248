"""`--output table` helpers: az's table transformers take a single result or a list of them."""

from collections import OrderedDict


def rows(result):
    """The rows a table shows: a list as it is, a single document as a one-row list, nothing as []."""
    if result is None:
        return []
    return result if isinstance(result, list) else [result]


def table(result, columns):
    """One OrderedDict per row: `columns` maps a column title to a function of the row."""
    return [OrderedDict((title, cell(r)) for title, cell in columns.items()) for r in rows(result)]
