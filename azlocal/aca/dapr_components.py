"""Dapr components of managed environments."""


def cleanup_component(doc):
    """What deleting `doc`'s group removes outside the store (see azlocal.platform.cleanup)."""
