"""Azure Container Instances: container groups on the Docker Engine, with Azure's lifecycle.

A group is a pod. An infra container owns the group's network namespace and publishes its
ports on the group's own loopback address (127.x.y.z, shown as ipAddress.ip); every container of
the group joins that namespace (they reach each other on localhost) and shares its volumes.
Docker's restart policies enforce Azure's (Always / OnFailure / Never). The group's document
in the store holds the definition; its live state (instanceView) is read from Docker each time,
so there is no background process. Secure values live in the secret store only.
"""

import hashlib
import json

from azlocal.aci.definition import (  # noqa: F401  (the service's public face)
    MAX_CPU,
    MAX_MEMORY,
    RESTART,
    check_update,
    definition_from_args,
    definition_from_yaml,
    validate,
)
from azlocal.aci.lookup import GROUP_TYPE, _id, _stored
from azlocal.aci.operations import (  # noqa: F401
    _one_container,
    attach,
    exec_command,
    logs,
    restart,
    start,
    stop,
)
from azlocal.aci.probes import restart_unhealthy  # noqa: F401
from azlocal.aci.runtime import (  # noqa: F401
    _containers,
    _names,
    _remove_objects,
    _secret_prefix,
    _short,
    _start_group,
    _wait_started,
    preflight_images,
)
from azlocal.aci.view import with_instance_view  # noqa: F401
from azlocal.core import settings
from azlocal.core.errors import AzLocalError, ValidationError
from azlocal.core.locations import normalise_location
from azlocal.platform import secrets
from azlocal.platform.store import store
from azlocal.resources import groups


def show(resource_group, name):
    return _shown(_stored(resource_group, name))


def list_groups(resource_group=None):
    if resource_group:
        groups.get(resource_group)
    return [_shown(d) for d in store().list(type=GROUP_TYPE, resource_group=resource_group)]


def _shown(doc):
    """The document with its live state: the containers' (view) and the init containers'."""
    doc = with_instance_view(doc)
    if doc.get("initContainers") and doc.get("instanceView") is not None:
        from azlocal.aci.view import _container_view

        live = _containers(doc, "init")
        for c in doc["initContainers"]:
            view = _container_view(live.get(c["name"]))
            c["instanceView"] = {k: view[k] for k in ("currentState", "events", "previousState", "restartCount")}
    return doc

# Create ---------------------------------------------------------------------------------------

def create(resource_group, definition, location=None, tags=None, wait=True, profile=None):
    """Creates (or redeploys) a group; `profile` is the {id, revision} it was made from, if any."""
    from azlocal.aci import document, export

    group = groups.get(resource_group)
    if not definition.get("name"):
        raise ValidationError("usage error: the container group needs a name (--name or 'name' in the YAML file)")
    validate(definition)
    location = normalise_location(location or definition.get("location") or group["location"])
    rid = _id(group["name"], definition["name"])
    s = store()
    old = s.get(rid)
    if old is not None:
        check_update(old, definition, location, group["name"])
        definition = dict(definition, name=old["name"])  # ARM keeps the name's first spelling
        rid = old["id"]
    from azlocal.aci.options import identity_block  # the identities' own ids; a missing one is refused

    definition = dict(definition, identity=identity_block(definition.get("identity"), (old or {}).get("identity"), rid))
    props = definition["properties"]
    profile = profile or props.get("containerGroupProfile")
    if profile:
        props["containerGroupProfile"] = profile  # exported with the group, as ARM returns it
    ip = props.get("ipAddress")
    fqdn = None
    if ip and ip.get("dnsNameLabel"):
        fqdn = f"{ip['dnsNameLabel']}.{location}.azurecontainer.io"
        for other in s.list(type=GROUP_TYPE):
            if (other.get("ipAddress") or {}).get("fqdn") == fqdn and other["id"].lower() != rid.lower():
                raise AzLocalError(f"(DnsNameLabelAlreadyInUse) The DNS name label '{ip['dnsNameLabel']}' is already "
                                   f"in use in region '{location}'.")
    address = old["ipAddress"]["ip"] if old is not None else _allocate_address(rid)
    doc = document.group(rid, definition, location=location, address=address, fqdn=fqdn, tags=tags, profile=profile)
    if old is not None:
        # An update redeploys the group: its containers restart with the new definition (as ACI),
        # once every image is known to be there, so a bad image leaves the old group running.
        preflight_images(doc, definition)
        cleanup(old)
        with s.transaction():
            s.delete_value(f"aci-stopped/{rid.lower()}")
    if any(c["properties"].get("livenessProbe") or c["properties"].get("readinessProbe") for c in props["containers"]):
        from azlocal.platform import lifecycle

        lifecycle.ensure_running()  # the daemon acts on failed liveness probes
    created = []
    try:
        _store_secure_values(rid, props)
        _start_group(doc, props, created)
        with s.transaction():
            s.put(doc)
            s.set_value(export.key(rid), export.public(dict(definition, location=location)))
        if fqdn:
            from azlocal.platform import hosts

            hosts.set_entries(add={fqdn: address})
    except BaseException:
        _remove_objects(created)
        secrets.delete_prefix(_secret_prefix(rid))
        raise
    if wait:
        _wait_started(doc)
    return _shown(doc)


def _allocate_address(rid):
    """A loopback address of the group's own, stable per home and group, never 127.0.0.1."""
    used = {(d.get("ipAddress") or {}).get("ip") for d in store().list(type=GROUP_TYPE)}
    seed = int(hashlib.sha256(f"{settings.label_value()}|{rid.lower()}".encode()).hexdigest(), 16)
    for i in range(1000):
        n = (seed + i) % (200 * 250 * 250)
        address = f"127.{10 + n // 62500}.{(n // 250) % 250 + 1}.{n % 250 + 2}"
        if address not in used:
            return address
    raise AzLocalError("No free loopback address for the container group.")


def _store_secure_values(rid, props):
    """Secure environment values, secret volumes and registry passwords: secret store only."""
    prefix = _secret_prefix(rid)
    for c in props["containers"] + props["initContainers"]:
        for e in c["properties"]["environmentVariables"]:
            if "secureValue" in e:
                secrets.set_secret(f"{prefix}env/{c['name']}/{e['name']}", e["secureValue"])
    for v in props["volumes"]:
        if "secret" in v:
            secrets.set_secret(f"{prefix}volume/{v['name']}", json.dumps(v["secret"]))
        if "azureFile" in v and v["azureFile"].get("storageAccountKey"):
            secrets.set_secret(f"{prefix}azurefile/{v['name']}", v["azureFile"]["storageAccountKey"])
    for c in props["imageRegistryCredentials"]:
        if c.get("password"):
            secrets.set_secret(f"{prefix}registry/{c['server']}", c["password"])

# Lifecycle ------------------------------------------------------------------------------------

def delete(resource_group, name):
    doc = _stored(resource_group, name)
    shown = _shown(doc)
    cleanup(doc)
    s = store()
    with s.transaction():
        s.delete(doc["id"])
        s.delete_value(f"aci-stopped/{doc['id'].lower()}")
    return shown


def cleanup(doc):
    """Removes the group's containers, network, volumes, host name, secret files and secrets."""
    import shutil

    from azlocal.aci.runtime import group_objects
    from azlocal.platform import hosts
    from azlocal.platform.engine import objects

    containers, networks, volumes = group_objects(doc)
    s = store()
    for container in containers:
        with s.transaction():
            s.delete_value(f"aci-probe-restarts/{container.id}")
    for obj in containers + networks + volumes:
        objects.remove(obj)
    fqdn = (doc.get("ipAddress") or {}).get("fqdn")
    if fqdn:
        hosts.set_entries(remove=[fqdn])
    shutil.rmtree(settings.home() / "aci-secrets" / _short(doc["id"]), ignore_errors=True)
    secrets.delete_prefix(_secret_prefix(doc["id"]))
    from azlocal.aci.export import key

    with s.transaction():
        s.delete_value(key(doc["id"]))


def export(resource_group, name, path):
    from azlocal.aci import export as exporter

    exporter.export(resource_group, name, path)
