"""Containers, networks and volumes of this home, as small adapter functions over the Docker SDK:
services name what they want (labels, names, options) and never call the SDK themselves.
Every lookup filters by this home's label (see labels)."""

from azlocal.platform.engine import labels


def _client():
    from azlocal.platform.engine.docker_client import client

    return client()


def api_error_text(ex):
    """The engine's explanation of an API error (or the error's text)."""
    return getattr(ex, "explanation", None) or ex


def is_api_error(ex):
    import docker.errors

    return isinstance(ex, docker.errors.APIError)


def engine_version():
    return _client().version().get("Version")


# Containers --------------------------------------------------------------------------------------

def containers(*, all=False, resource_id=None, health=None, **label_values):
    """This home's containers with these labels (`resource_id` is azlocal.resource's value)."""
    filters = labels.home_filters(resource_id=resource_id, **label_values)
    if health:
        filters["health"] = health
    return _client().containers.list(all=all, filters=filters)


def create_container(image, **options):
    """A created (not started) container; `options` are the engine's create options."""
    return _client().containers.create(image, **options)


def run_container(image, command=None, **options):
    """A container created and started in the background."""
    return _client().containers.run(image, command, detach=True, **options)


def remove(obj):
    """Removes a container (forced, with its anonymous volumes), network or volume; False if it would not go."""
    try:
        if hasattr(obj, "kill"):
            obj.remove(force=True, v=True)
        elif hasattr(obj, "connect"):
            obj.remove()
        else:
            obj.remove(force=True)
        return True
    except Exception:
        return False


def remove_all(objects):
    """Removes each object, last first, going on past one that would not go."""
    for obj in reversed(list(objects)):
        remove(obj)


# Networks and volumes ----------------------------------------------------------------------------

def create_network(name, object_labels):
    return _client().networks.create(name, driver="bridge", labels=object_labels)


def networks(resource_id=None, **label_values):
    return _client().networks.list(filters=labels.home_filters(resource_id=resource_id, **label_values))


def create_volume(name, object_labels):
    return _client().volumes.create(name=name, labels=object_labels)


def volumes(resource_id=None, **label_values):
    return _client().volumes.list(filters=labels.home_filters(resource_id=resource_id, **label_values))


def base_image():
    """The small busybox image azlocal builds (for infra containers)."""
    from azlocal.platform.engine.standins import build_base

    return build_base(_client())

