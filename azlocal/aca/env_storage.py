"""Storages of managed environments (Azure Files shares the apps mount)."""


def cleanup_storage(doc):
    """What deleting `doc`'s group removes outside the store (see azlocal.platform.cleanup)."""
