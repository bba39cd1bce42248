"""Certificates of managed environments, uploaded (PFX) and managed (issued by the local CA)."""


def cleanup_certificate(doc):
    """What deleting `doc`'s group removes outside the store (see azlocal.platform.cleanup)."""
