"""Commit triggers of ACR tasks on local git contexts: the daemon watches each trigger's branch and
starts a run for every new commit."""


def poll():
    """Housekeeping: fires the commit triggers whose branch moved since the last poll. Returns runs started."""
    return 0
