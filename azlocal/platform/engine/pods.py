"""Pods: containers that share one network namespace, so they reach each other on localhost and
each can restart without the others losing it. One container owns the namespace (the pod's head:
an infra container for ACI groups, a replica's first container for ACA); the others join it."""

from azlocal.platform.engine import objects

INFRA_COMMAND = ["sh", "-c", "trap 'exit 0' TERM INT; while :; do sleep 3600 & wait $!; done"]


def start_infra(name, network, *, object_labels, ports=None, hostname=None):
    """A small container that only holds the namespace (on `network`, publishing `ports`)."""
    return objects.run_container(objects.base_image(), INFRA_COMMAND, name=name, network=network.id,
                                 ports=ports or None, labels=object_labels, hostname=hostname)


def head_options(network, hostname):
    """Create options for the container that owns the pod's namespace."""
    return {"network": network.id, "hostname": hostname}


def member_options(head):
    """Create options for a container that joins `head`'s namespace."""
    return {"network_mode": f"container:{head.id}"}


def options(head, network, hostname):
    """A member's options when there is a head, else the head's own."""
    return member_options(head) if head is not None else head_options(network, hostname)


def publish_aliases(network, head, aliases):
    """Other containers of `network` reach the pod by these names (set on the head)."""
    network.disconnect(head)
    network.connect(head, aliases=list(aliases))
