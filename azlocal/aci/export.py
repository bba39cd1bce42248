"""`az container export`: the group as ACI's YAML, which `az container create --file` takes back.

The YAML is ARM's resource (what az's export dumps): the definition as stored, every key the user gave
included (unknown ones too), read-only state left out. Secret values are never written: a secure
environment variable keeps its name with an empty `secureValue`, a secret volume is empty, and storage
account keys, registry passwords, workspace keys and protected settings are left out, as Azure does.
"""

import copy

from azlocal.aci import yaml_keys
from azlocal.aci.document import GROUP_TYPE

API_VERSION = "2024-05-01-preview"  # the API version of az 2.91's container client
DEFINITION_KEY = "aci-definition/"
# What Azure's InitContainerDefinition has no place for (azlocal keeps resources for Docker's limits).
_NOT_INIT = ("ports", "resources", "livenessProbe", "readinessProbe", "configMap")


def public(definition):
    """A definition without any secret value: what the store keeps for export."""
    d = copy.deepcopy(definition)
    props = d["properties"]
    for c in props["containers"] + props.get("initContainers", []):
        for e in c["properties"].get("environmentVariables") or []:
            if "secureValue" in e:
                e["secureValue"] = ""
    for v in props.get("volumes") or []:
        if "secret" in v:
            v["secret"] = {}
        if isinstance(v.get("azureFile"), dict):
            v["azureFile"].pop("storageAccountKey", None)
    for c in props.get("imageRegistryCredentials") or []:
        c.pop("password", None)
    la = (props.get("diagnostics") or {}).get("logAnalytics")
    if isinstance(la, dict):
        la.pop("workspaceKey", None)
    for x in props.get("extensions") or []:
        if isinstance(x, dict) and isinstance(x.get("properties"), dict):
            x["properties"].pop("protectedSettings", None)
    return d


def key(rid):
    return DEFINITION_KEY + rid.lower()


def _container(c, init=False):
    props = {k: v for k, v in c["properties"].items() if not (init and k in _NOT_INIT)}
    if not init and not props.get("ports"):
        props.pop("ports", None)
    if not props.get("volumeMounts"):
        props.pop("volumeMounts", None)
    return {"name": c["name"], "properties": props}


def _identity(identity):
    if not identity or identity.get("type") in (None, "None"):
        return None
    entry = {"type": identity["type"]}
    if identity.get("userAssignedIdentities"):
        # az writes the SDK attribute's name; `create --file` reads both spellings
        entry["user_assigned_identities"] = {k: {} for k in identity["userAssignedIdentities"]}
    return entry


def document(doc, definition):
    """The exported resource: from the stored (secret-free) definition and the group's document."""
    definition = copy.deepcopy(definition)
    props = definition["properties"]
    out_props = {k: v for k, v in props.items() if k not in ("containers", "initContainers")}
    out_props["containers"] = [_container(c) for c in props["containers"]]
    if props.get("initContainers"):
        out_props["initContainers"] = [_container(c, init=True) for c in props["initContainers"]]
    else:
        out_props.pop("initContainers", None)
    for k in ("volumes", "imageRegistryCredentials"):
        if not out_props.get(k):
            out_props.pop(k, None)
    ip = doc.get("ipAddress") or {}
    if out_props.get("ipAddress"):
        out_props["ipAddress"] = dict(out_props["ipAddress"], ip=ip.get("ip"), fqdn=ip.get("fqdn"))
    out_props["sku"] = doc.get("sku") or "Standard"
    data = {"apiVersion": API_VERSION}
    data.update({k: v for k, v in definition.items() if k not in ("properties", "identity", "name", "location",
                                                                   "tags", "zones")})
    identity = _identity(doc.get("identity"))
    if identity:
        data["identity"] = identity
    data.update({"location": doc["location"], "name": doc["name"], "properties": out_props,
                 "tags": doc.get("tags") or {}, "type": GROUP_TYPE})
    if doc.get("zones"):
        data["zones"] = list(doc["zones"])
    return yaml_keys.drop_none(data)


def _from_document(doc):
    """The definition of a group stored before definitions were kept (its document has the essentials)."""
    def container(c):
        env = [{"name": e["name"], "secureValue": ""} if e.get("value") is None else
               {"name": e["name"], "value": e["value"]} for e in c.get("environmentVariables") or []]
        req = c["resources"]["requests"]
        return {"name": c["name"], "properties": {
            "image": c["image"], "command": c.get("command"), "ports": c.get("ports") or [],
            "environmentVariables": env, "volumeMounts": c.get("volumeMounts") or [],
            "resources": {"requests": {"cpu": req["cpu"], "memoryInGB": req["memoryInGb"]}}}}

    ip = doc.get("ipAddress") or {}
    props = {"containers": [container(c) for c in doc["containers"]], "osType": doc["osType"],
             "restartPolicy": doc["restartPolicy"], "priority": doc.get("priority"),
             "initContainers": [container(c) for c in doc.get("initContainers") or []
                                if c.get("resources")]}
    if ip.get("ports"):
        props["ipAddress"] = {"type": ip["type"], "ports": ip["ports"], "dnsNameLabel": ip.get("dnsNameLabel")}
    return {"name": doc["name"], "properties": props}


def export(resource_group, name, path):
    import yaml

    from azlocal.aci.lookup import _stored
    from azlocal.platform.store import store

    doc = _stored(resource_group, name)
    definition = store().get_value(key(doc["id"])) or _from_document(doc)
    data = document(doc, definition)
    try:
        with open(path, "w") as f:
            yaml.safe_dump(data, f, default_flow_style=False, sort_keys=True)
    except OSError as ex:
        from azlocal.core.errors import AzLocalError

        raise AzLocalError(f"The file '{path}' could not be written: {ex.strerror}.") from None
