"""IMDS for container groups: `http://169.254.169.254/metadata/identity/oauth2/token`, as ACI serves it.

No host-wide rule is made: when a group that has an identity starts, one NAT rule in the network namespace
of its pod (`nsenter -t <pid> -n iptables -t nat -A OUTPUT -d 169.254.169.254/32 -p tcp --dport 80 -j DNAT
--to-destination <bridge gateway>:<daemon port>`) sends what its containers open to IMDS to the daemon's
listener on the host's bridge gateway. The daemon knows the group by the caller's source address: the
running container of this home with that address, whose labels name the group (`resource_at`). Where the
rule cannot be made (not root, no nsenter or iptables, a refusing kernel) the group still starts and a
warning says IMDS is unavailable there and why.
"""

import os
import shutil
import subprocess

from knack.log import get_logger

from azlocal.platform.engine import labels

logger = get_logger(__name__)
ADDRESS = "169.254.169.254"
TIMEOUT = 10


def _rule(target):
    return ["OUTPUT", "-d", f"{ADDRESS}/32", "-p", "tcp", "--dport", "80", "-j", "DNAT", "--to-destination", target]


def _target(start):
    """`<bridge gateway>:<daemon port>` (starting the daemon when `start`); (None, reason) when there is none."""
    from azlocal.core import settings
    from azlocal.core.errors import AzLocalError
    from azlocal.platform import lifecycle
    from azlocal.platform.engine.objects import bridge_gateway

    address = bridge_gateway()
    if not address:
        return None, "Docker's bridge network has no gateway address for containers to reach the daemon at"
    port = settings.http_port()
    if start:
        try:
            port = lifecycle.ensure_running()["port"]
        except AzLocalError as ex:
            return None, f"the azlocal daemon that answers it could not start ({ex})"
    return f"{address}:{port}", None


def _tools():
    if os.geteuid() != 0:
        return None, "routing 169.254.169.254 into the group's network namespace needs root"
    found = [shutil.which(t) or shutil.which(t, path="/usr/sbin:/sbin:/usr/bin") for t in ("nsenter", "iptables")]
    if not all(found):
        missing = " and ".join(t for t, f in zip(("nsenter", "iptables"), found) if not f)
        return None, f"{missing} not found (install util-linux and iptables)"
    return found, None


def _pid(container):
    try:
        container.reload()
        return int((container.attrs.get("State") or {}).get("Pid") or 0), None
    except Exception as ex:
        return 0, f"the pod's container could not be inspected ({ex})"


def route(container, group_name, warn=True):
    """Makes 169.254.169.254:80 reach the daemon from `container`'s network namespace (idempotent). True when
    it does; False after a warning that says why IMDS is unavailable in the group (a debug line without `warn`:
    a group without an identity only ever gets IMDS's 'Identity not found', and does not start the daemon)."""
    tools, reason = _tools()
    if tools:
        pid, reason = _pid(container)
        if not reason and pid <= 0:
            reason = "the pod's container is not running"
    if not reason:
        target, reason = _target(start=warn)
    if not reason:
        reason = _add_rule(tools, pid, target)
    if reason and not warn:
        logger.debug("IMDS is unavailable in container group '%s': %s.", group_name, reason)
        return False
    if reason:
        logger.warning("IMDS (http://%s/metadata/identity/oauth2/token) is unavailable in container group '%s': "
                       "%s. The group runs; its containers get no managed identity tokens.", ADDRESS, group_name,
                       reason)
        return False
    return True


def _add_rule(tools, pid, target):
    nsenter, iptables = tools
    base = [nsenter, "-t", str(pid), "-n", iptables, "-w", "-t", "nat"]
    try:
        if subprocess.run(base + ["-C"] + _rule(target), capture_output=True, timeout=TIMEOUT).returncode == 0:
            return None
        done = subprocess.run(base + ["-A"] + _rule(target), capture_output=True, text=True, timeout=TIMEOUT)
    except (OSError, subprocess.TimeoutExpired) as ex:
        return f"iptables could not run in its network namespace ({ex})"
    if done.returncode != 0:
        return f"iptables refused the rule ({(done.stderr or done.stdout).strip() or done.returncode})"
    return None


def resource_at(address):
    """The lower-cased id of the resource whose running container (of this home) has `address`, or None."""
    from azlocal.platform.engine import objects

    if not address:
        return None
    for container in objects.containers():
        networks = ((container.attrs.get("NetworkSettings") or {}).get("Networks") or {}).values()
        if any((n or {}).get("IPAddress") == address for n in networks):
            return (container.labels or {}).get(labels.RESOURCE)
    return None
