"""What the batch and list commands of az storage say beside their results (as az's own transformers)."""

from knack.log import get_logger

logger = get_logger(__name__)


def dry_run(action, source, pattern, where, names):
    """`--dryrun` of a delete-batch: az's report of what would go, as warnings; nothing is deleted.
    `where` is ("container" | "share", name)."""
    kind, name = where
    logger.warning("%s %s", action, source)
    logger.warning("    pattern %s", pattern)
    logger.warning("%11s %s", kind, name)
    logger.warning("      total %d", len(names))
    logger.warning(" operations")
    for item in names:
        logger.warning("  - %s", item)
    return []


def with_next_marker(items, next_marker, show_next_marker):
    """A listing page: with --show-next-marker the marker is its last item, else az warns it."""
    if show_next_marker:
        items.append({"nextMarker": next_marker})
    elif next_marker:
        logger.warning("Next Marker:")
        logger.warning(next_marker)
    return items
