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
    return _client().containers.create(image, **daemon_route(options))


def run_container(image, command=None, **options):
    """A container created and started in the background."""
    return _client().containers.run(image, command, detach=True, **daemon_route(options))


# Names of this home's data planes that containers reach at the daemon (it also listens on the bridge
# gateway): storage accounts' blob endpoints and key vaults, as the hosts file's managed block lists them.
ROUTED_SUFFIXES = (".blob.core.windows.net", ".vault.azure.net")


def daemon_route(options):
    """`options` with an extra_hosts entry (name -> the host's bridge gateway) per served data-plane name,
    unless the container joins another's network namespace (it shares that one's hosts file) or has none."""
    mode = str(options.get("network_mode") or "")
    if mode.startswith("container:") or mode in ("host", "none"):
        return options
    from azlocal.platform import hosts

    names = sorted(n for n in hosts.entries() if n.endswith(ROUTED_SUFFIXES))
    if not names:
        return options
    extra = options.get("extra_hosts") or {}
    if isinstance(extra, list):
        extra = dict(item.split(":", 1) for item in extra)
    extra = dict(extra)
    for name in names:
        extra.setdefault(name, "host-gateway")
    return dict(options, extra_hosts=extra)


def bridge_gateway():
    """The host's address on Docker's default bridge (what 'host-gateway' means), or None."""
    import ipaddress

    try:
        config = (_client().networks.get("bridge").attrs.get("IPAM") or {}).get("Config") or []
    except Exception:
        return None
    for entry in config:
        if entry.get("Gateway"):
            return entry["Gateway"]
        if entry.get("Subnet") and ":" not in entry["Subnet"]:
            return str(next(ipaddress.ip_network(entry["Subnet"], strict=False).hosts()))
    return None


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


def stop_and_remove(containers, grace_of):
    """Stops the containers all at once and removes them: one for which `grace_of(container)` gives a
    number of seconds gets SIGTERM and that long to exit before it is killed; the others are killed."""
    import threading

    def stop(container):
        try:
            grace = grace_of(container)
            if grace is not None and container.status == "running":
                container.stop(timeout=int(grace))
            container.remove(force=True)
        except Exception:
            pass

    threads = [threading.Thread(target=stop, args=(c,)) for c in containers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def address(container, network_name):
    """The container's IP address on that network (or on its first one)."""
    networks = container.attrs.get("NetworkSettings", {}).get("Networks", {})
    return (networks.get(network_name) or next(iter(networks.values()), {})).get("IPAddress")


def is_running(container):
    return container.attrs["State"]["Status"] == "running"


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

