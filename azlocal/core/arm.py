"""ARM ids and document helpers shared by the services."""

from azlocal.core import settings


def subscription_prefix():
    return f"/subscriptions/{settings.SUBSCRIPTION_ID}"


def group_id(group):
    return f"{subscription_prefix()}/resourceGroups/{group}"


def resource_id(group, provider_type, name):
    """provider_type like 'Microsoft.ContainerRegistry/registries'."""
    return f"{group_id(group)}/providers/{provider_type}/{name}"


def utc_now():
    """An ARM timestamp: ISO-8601 with microseconds and +00:00, as az prints them."""
    from datetime import datetime, timezone

    return datetime.now(timezone.utc).isoformat()


def split_words(text, what="--command-line"):
    """A command line given as one string, split as a POSIX shell would; bad quoting is the user's error."""
    import shlex

    from azlocal.core.errors import ValidationError

    try:
        return shlex.split(text)
    except ValueError as ex:
        raise ValidationError(f"{what} could not be split into words: {ex} in {text!r}.") from None
