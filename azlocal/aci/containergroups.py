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
    return with_instance_view(_stored(resource_group, name))


def list_groups(resource_group=None):
    if resource_group:
        groups.get(resource_group)
    return [with_instance_view(d) for d in store().list(type=GROUP_TYPE, resource_group=resource_group)]

# Create ---------------------------------------------------------------------------------------

def create(resource_group, definition, location=None, tags=None, wait=True):
    group = groups.get(resource_group)
    if not definition.get("name"):
        raise ValidationError("usage error: the container group needs a name (--name or 'name' in the YAML file)")
    validate(definition)
    name = definition["name"]
    location = normalise_location(location or definition.get("location") or group["location"])
    rid = _id(group["name"], name)
    s = store()
    old = s.get(rid)
    if old is not None:
        check_update(old, definition, location, group["name"])
    props = definition["properties"]
    ip = props.get("ipAddress")
    fqdn = None
    if ip and ip.get("dnsNameLabel"):
        fqdn = f"{ip['dnsNameLabel']}.{location}.azurecontainer.io"
        for other in s.list(type=GROUP_TYPE):
            if (other.get("ipAddress") or {}).get("fqdn") == fqdn and other["id"].lower() != rid.lower():
                raise AzLocalError(f"(DnsNameLabelAlreadyInUse) The DNS name label '{ip['dnsNameLabel']}' is already "
                                   f"in use in region '{location}'.")
    address = old["ipAddress"]["ip"] if old is not None else _allocate_address(rid)
    doc = _document(rid, name, definition, location=location, address=address, fqdn=fqdn, tags=tags)
    if old is not None:
        # An update redeploys the group: its containers restart with the new definition (as ACI),
        # once every image is known to be there, so a bad image leaves the old group running.
        preflight_images(doc, definition)
        cleanup(old)
        with s.transaction():
            s.delete_value(f"aci-stopped/{rid.lower()}")
    if any(c["properties"].get("livenessProbe") for c in props["containers"]):
        from azlocal.platform import lifecycle

        lifecycle.ensure_running()  # the daemon acts on failed liveness probes
    created = []
    try:
        _store_secure_values(rid, props)
        _start_group(doc, props, created)
        with s.transaction():
            s.put(doc)
        if fqdn:
            from azlocal.platform import hosts

            hosts.set_entries(add={fqdn: address})
    except BaseException:
        _remove_objects(created)
        secrets.delete_prefix(_secret_prefix(rid))
        raise
    if wait:
        _wait_started(doc)
    return with_instance_view(doc)


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


def _public(c):
    """A container as the group's document shows it (secure values hidden)."""
    p = c["properties"]
    env = [{"name": e["name"], "secureValue": None, "value": None if "secureValue" in e else e.get("value")}
           for e in p["environmentVariables"]]
    return {
        "command": p["command"], "environmentVariables": env, "image": p["image"], "instanceView": None,
        "livenessProbe": p.get("livenessProbe"), "name": c["name"],
        "ports": [{"port": x["port"], "protocol": x["protocol"]} for x in p["ports"]],
        "readinessProbe": p.get("readinessProbe"),
        "resources": {"limits": None, "requests": {"cpu": p["resources"]["requests"]["cpu"], "gpu": None,
                                                   "memoryInGb": p["resources"]["requests"]["memoryInGB"]}},
        "securityContext": p.get("securityContext"),
        "volumeMounts": p["volumeMounts"] or None,
        **({"configMap": p["configMap"]} if p.get("configMap") else {}),
    }


def _public_volumes(props):
    volumes = []
    for v in props["volumes"]:
        shown = {"azureFile": None, "emptyDir": None, "gitRepo": None, "name": v["name"], "secret": None}
        if "emptyDir" in v:
            shown["emptyDir"] = {}
        if "azureFile" in v:
            shown["azureFile"] = dict(v["azureFile"], storageAccountKey=None)
        if "secret" in v:
            shown["secret"] = {}  # secret volumes show no content, as Azure
        if "gitRepo" in v:
            shown["gitRepo"] = dict(v["gitRepo"])
        volumes.append(shown)
    return volumes


def _document(rid, name, definition, *, location, address, fqdn, tags):
    props = definition["properties"]
    ip = props.get("ipAddress")
    volumes = _public_volumes(props)
    return {
        "confidentialComputeProperties": props.get("confidentialComputeProperties"),
        "containers": [_public(c) for c in props["containers"]],
        "diagnostics": _diagnostics(props.get("diagnostics")),
        "dnsConfig": None,
        "encryptionProperties": None,
        "extensions": None,
        "id": rid,
        "identity": definition.get("identity"),
        "imageRegistryCredentials": [{"identity": c.get("identity"), "identityUrl": None, "password": None,
                                      "server": c["server"], "username": c["username"]}
                                     for c in props["imageRegistryCredentials"]] or None,
        "initContainers": [dict(_public(c), instanceView=None) for c in props["initContainers"]],
        "instanceView": None,
        "ipAddress": {
            "autoGeneratedDomainNameLabelScope": "Unsecure" if fqdn else None,
            "dnsNameLabel": ip.get("dnsNameLabel") if ip else None,
            "fqdn": fqdn,
            "ip": address,
            "ports": [{"port": x["port"], "protocol": x["protocol"]} for x in ip["ports"]] if ip else [],
            "type": ip.get("type", "Public") if ip else "Private",
        },
        "location": location,
        "name": name,
        "osType": props["osType"],
        "priority": props.get("priority"),
        "provisioningState": "Succeeded",
        "restartPolicy": props["restartPolicy"],
        "sku": props.get("sku") or "Standard",
        "subnetIds": None,
        "tags": tags if tags is not None else definition.get("tags"),
        "type": GROUP_TYPE,
        "volumes": volumes or None,
        "zones": definition.get("zones"),
    }


def _diagnostics(value):
    """Log Analytics settings as Azure shows them: the workspace key is never returned."""
    if not value:
        return None
    la = value.get("logAnalytics") or {}
    return {"logAnalytics": {"logType": la.get("logType"), "metadata": la.get("metadata"),
                             "workspaceId": la.get("workspaceId"), "workspaceKey": None,
                             "workspaceResourceId": la.get("workspaceResourceId")}}


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
    shown = with_instance_view(doc)
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


def export(resource_group, name, path):
    """YAML that `create --file` accepts back; secure values are left out, as Azure does."""
    import yaml

    doc = _stored(resource_group, name)

    def container(c):
        env = []
        for e in c["environmentVariables"]:
            # Secure values are never written out: the entry stays secure, with an empty value to fill in.
            env.append({"name": e["name"], "secureValue": ""} if e["value"] is None
                       else {"name": e["name"], "value": e["value"]})
        props = {"image": c["image"], "ports": c["ports"], "environmentVariables": env,
                 "resources": {"requests": {"cpu": c["resources"]["requests"]["cpu"],
                                            "memoryInGB": c["resources"]["requests"]["memoryInGb"]}}}
        if c.get("command"):
            props["command"] = c["command"]
        if c.get("volumeMounts"):
            props["volumeMounts"] = c["volumeMounts"]
        return {"name": c["name"], "properties": props}

    props = {"containers": [container(c) for c in doc["containers"]], "osType": doc["osType"],
             "restartPolicy": doc["restartPolicy"]}
    if doc.get("initContainers"):
        props["initContainers"] = [container(c) for c in doc["initContainers"]]
    ip = doc.get("ipAddress") or {}
    if ip.get("ports"):
        props["ipAddress"] = {"type": ip["type"], "ports": ip["ports"]}
        if ip.get("dnsNameLabel"):
            props["ipAddress"]["dnsNameLabel"] = ip["dnsNameLabel"]
    volumes = []
    for v in doc.get("volumes") or []:
        if v.get("emptyDir") is not None:
            volumes.append({"name": v["name"], "emptyDir": {}})
        elif v.get("azureFile"):
            volumes.append({"name": v["name"], "azureFile": {k: val for k, val in v["azureFile"].items() if val}})
    if volumes:
        props["volumes"] = volumes
    if doc.get("imageRegistryCredentials"):
        props["imageRegistryCredentials"] = [{"server": c["server"], "username": c["username"]}
                                             for c in doc["imageRegistryCredentials"]]
    data = {"apiVersion": "2023-05-01", "location": doc["location"], "name": doc["name"], "properties": props,
            "tags": doc.get("tags") or {}, "type": GROUP_TYPE}
    with open(path, "w") as f:
        yaml.safe_dump(data, f, sort_keys=False)

