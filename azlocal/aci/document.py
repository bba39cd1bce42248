"""What `show` prints for a container group (or a container group profile): the definition in the shape
az prints Azure's answer — every attribute of the SDK's model, null when unset, secrets never shown.

az prints a model's attributes in camelCase of their Python names, so a probe's `exec` is `execProperty`
and `memoryInGB` is `memoryInGb`; keys ARM does not know are not returned (they stay in the definition
and in `az container export`).
"""

GROUP_TYPE = "Microsoft.ContainerInstance/containerGroups"
PROFILE_TYPE = "Microsoft.ContainerInstance/containerGroupProfiles"


def _pick(value, *keys):
    value = value or {}
    return {k: value.get(k) for k in keys}


def _resources(r):
    if not r:
        return None
    return {"cpu": r.get("cpu"), "gpu": _pick(r["gpu"], "count", "sku") if r.get("gpu") else None,
            "memoryInGb": r.get("memoryInGB")}


def probe(p):
    """A liveness or readiness probe as az shows it."""
    if not p:
        return None
    get = p.get("httpGet")
    return {
        "execProperty": {"command": (p.get("exec") or {}).get("command")} if p.get("exec") else None,
        "failureThreshold": p.get("failureThreshold"),
        "httpGet": {"httpHeaders": [_pick(h, "name", "value") for h in get.get("httpHeaders") or []] or None,
                    "path": get.get("path"), "port": get.get("port"), "scheme": get.get("scheme")} if get else None,
        "initialDelaySeconds": p.get("initialDelaySeconds"),
        "periodSeconds": p.get("periodSeconds"),
        "successThreshold": p.get("successThreshold"),
        "timeoutSeconds": p.get("timeoutSeconds"),
    }


def security_context(s):
    if not s:
        return None
    caps = s.get("capabilities")
    return {"allowPrivilegeEscalation": s.get("allowPrivilegeEscalation"),
            "capabilities": _pick(caps, "add", "drop") if caps else None,
            "privileged": s.get("privileged"), "runAsGroup": s.get("runAsGroup"), "runAsUser": s.get("runAsUser"),
            "seccompProfile": s.get("seccompProfile")}


def _env(p):
    return [{"name": e["name"], "secureValue": None, "value": None if "secureValue" in e else e.get("value")}
            for e in p.get("environmentVariables") or []]


def container(c):
    """A container as the group's document shows it (secure values hidden)."""
    p = c["properties"]
    requests = p["resources"]["requests"]
    config = p.get("configMap")
    return {
        "command": p.get("command"),
        "configMap": {"keyValuePairs": config.get("keyValuePairs")} if config else None,
        "environmentVariables": _env(p), "image": p["image"], "instanceView": None,
        "livenessProbe": probe(p.get("livenessProbe")), "name": c["name"],
        "ports": [{"port": x["port"], "protocol": x["protocol"]} for x in p.get("ports") or []],
        "readinessProbe": probe(p.get("readinessProbe")),
        "resources": {"limits": _resources(p["resources"].get("limits")),
                      "requests": {"cpu": requests["cpu"], "gpu": None, "memoryInGb": requests["memoryInGB"]}},
        "securityContext": security_context(p.get("securityContext")),
        "volumeMounts": [_pick(m, "mountPath", "name", "readOnly") for m in p.get("volumeMounts") or []] or None,
    }


def init_container(c):
    """An init container: Azure's InitContainerDefinition has no ports, resources or probes."""
    p = c["properties"]
    return {"command": p.get("command"), "environmentVariables": _env(p), "image": p["image"],
            "instanceView": None, "name": c["name"],
            "securityContext": security_context(p.get("securityContext")),
            "volumeMounts": [_pick(m, "mountPath", "name", "readOnly") for m in p.get("volumeMounts") or []] or None}


def volumes(props):
    shown = []
    for v in props.get("volumes") or []:
        item = {"azureFile": None, "emptyDir": None, "gitRepo": None, "name": v["name"], "secret": None}
        if "emptyDir" in v:
            item["emptyDir"] = {}
        if "azureFile" in v:
            item["azureFile"] = dict(_pick(v["azureFile"], "readOnly", "shareName", "storageAccountName"),
                                     storageAccountKey=None)
        if "secret" in v:
            item["secret"] = {}  # secret volumes show no content, as Azure
        if "gitRepo" in v:
            item["gitRepo"] = _pick(v["gitRepo"], "directory", "repository", "revision")
        shown.append(item)
    return shown or None


def diagnostics(value):
    """Log Analytics settings as Azure shows them: the workspace key is never returned."""
    if not value:
        return None
    la = value.get("logAnalytics") or {}
    return {"logAnalytics": {"logType": la.get("logType"), "metadata": la.get("metadata"),
                             "workspaceId": la.get("workspaceId"), "workspaceKey": None,
                             "workspaceResourceId": la.get("workspaceResourceId")}}


def _extensions(items):
    if not items:
        return None
    return [{"extensionType": (x.get("properties") or {}).get("extensionType"), "name": x.get("name"),
             "protectedSettings": None, "settings": (x.get("properties") or {}).get("settings"),
             "version": (x.get("properties") or {}).get("version")} for x in items]


def common(rid, definition, location, tags, doc_type):
    """The attributes a group and a profile share."""
    props = definition["properties"]
    return {
        "confidentialComputeProperties": props.get("confidentialComputeProperties"),
        "containers": [container(c) for c in props["containers"]],
        "diagnostics": diagnostics(props.get("diagnostics")),
        "encryptionProperties": (_pick(props["encryptionProperties"], "identity", "keyName", "keyVersion",
                                       "vaultBaseUrl") if props.get("encryptionProperties") else None),
        "extensions": _extensions(props.get("extensions")),
        "id": rid,
        "imageRegistryCredentials": [{"identity": c.get("identity"), "identityUrl": c.get("identityUrl"),
                                      "password": None, "server": c["server"], "username": c.get("username")}
                                     for c in props.get("imageRegistryCredentials") or []] or None,
        "initContainers": [init_container(c) for c in props.get("initContainers") or []],
        "location": location,
        "name": definition["name"],
        "osType": props["osType"],
        "priority": props.get("priority"),
        "restartPolicy": props["restartPolicy"],
        "sku": props.get("sku") or "Standard",
        "tags": tags if tags is not None else definition.get("tags"),
        "type": doc_type,
        "volumes": volumes(props),
        "zones": definition.get("zones"),
    }


def group(rid, definition, *, location, address, fqdn, tags=None, profile=None):
    props = definition["properties"]
    ip = props.get("ipAddress")
    doc = common(rid, definition, location, tags, GROUP_TYPE)
    dns = props.get("dnsConfig")
    doc.update({
        "containerGroupProfile": profile,
        "dnsConfig": _pick(dns, "nameServers", "options", "searchDomains") if dns else None,
        "identity": definition.get("identity"),
        "instanceView": None,
        "ipAddress": {
            "autoGeneratedDomainNameLabelScope": (ip.get("autoGeneratedDomainNameLabelScope") or "Unsecure")
            if fqdn else None,
            "dnsNameLabel": ip.get("dnsNameLabel") if ip else None,
            "fqdn": fqdn,
            "ip": address,
            "ports": [{"port": x["port"], "protocol": x["protocol"]} for x in ip["ports"]] if ip else [],
            "type": ip.get("type", "Public") if ip else "Private",
        },
        "isCreatedFromStandbyPool": None,
        "provisioningState": "Succeeded",
        "standbyPoolProfile": None,
        "subnetIds": None,
    })
    return doc


def profile(rid, definition, *, location, revision, tags=None):
    props = definition["properties"]
    ip = props.get("ipAddress")
    doc = common(rid, definition, location, tags, PROFILE_TYPE)
    doc["ipAddress"] = ({"autoGeneratedDomainNameLabelScope": None, "dnsNameLabel": None, "fqdn": None, "ip": None,
                         "ports": [{"port": x["port"], "protocol": x["protocol"]} for x in ip["ports"]],
                         "type": ip.get("type", "Public")} if ip else None)
    doc["revision"] = revision
    return doc
