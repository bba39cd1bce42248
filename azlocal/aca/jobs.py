"""Container-app jobs (Microsoft.App/jobs)."""


def cleanup_job(doc):
    """What deleting `doc`'s group removes outside the store (see azlocal.platform.cleanup)."""
