"""A container group's definition from ACI's YAML (or from a profile): ARM's keys, every value checked for
its type, and every key azlocal does not know kept as written (it goes back out in `az container export`).
"""

from knack.log import get_logger

from azlocal.aci import yaml_keys
from azlocal.core.errors import AzLocalError, ValidationError

logger = get_logger(__name__)
READ_ONLY = ("provisioningState", "instanceView", "revision")


def _num(value, what, cast=float):
    if isinstance(value, bool):
        value = None
    try:
        return cast(value)
    except (TypeError, ValueError):
        raise ValidationError(f"The YAML file is not valid: {what} must be a number, got '{value}'.") from None


def _seq(value, what):
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValidationError(f"The YAML file is not valid: {what} must be a list.")
    return value


def _map(value, what):
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValidationError(f"The YAML file is not valid: {what} must be a mapping.")
    return value


def _ports(items, what):
    return [dict(_map(x, what), port=_num(x.get("port", 0), f"{what} port", int),
                 protocol=str(x.get("protocol", "TCP")).upper()) for x in _seq(items, what)]


def _env(e):
    if not isinstance(e.get("name"), str) or not e["name"]:
        raise ValidationError("The YAML file is not valid: every environment variable needs a 'name'.")
    out = {"name": e.get("name")}
    if "secureValue" in e:
        out["secureValue"] = "" if e["secureValue"] is None else str(e["secureValue"])
    else:
        out["value"] = None if e.get("value") is None else str(e.get("value"))
    return out


def _probe(p, what):
    """A probe with ARM's camelCase keys and numbers where ARM has integers."""
    p = _map(p, what)
    if not p:
        return None
    out = dict(p)
    for key in ("initialDelaySeconds", "periodSeconds", "failureThreshold", "successThreshold", "timeoutSeconds"):
        if p.get(key) is not None:
            out[key] = _num(p[key], f"{what}.{key}", int)
    if p.get("exec") is not None:
        command = _map(p["exec"], f"{what}.exec").get("command")
        if not isinstance(command, list) or not all(isinstance(w, str) for w in command):
            raise ValidationError(f"The YAML file is not valid: {what}.exec.command must be a list of strings.")
    if p.get("httpGet") is not None:
        get = dict(_map(p["httpGet"], f"{what}.httpGet"))
        if get.get("port") is not None:
            get["port"] = _num(get["port"], f"{what}.httpGet.port", int)
        out["httpGet"] = get
    return out


def container(c, init=False):
    """One container (or init container) of ACI's YAML, keys as ARM spells them."""
    if not isinstance(c, dict) or not isinstance(c.get("properties"), dict):
        raise ValidationError("Each container must have a name and properties.")
    p = c["properties"]
    name = str(c.get("name", ""))
    if not p.get("image") or not isinstance(p["image"], str):
        raise ValidationError(f"The container '{name}' has no image.")
    resources = _map(p.get("resources"), f"resources of container '{name}'")
    requests = _map(resources.get("requests"), f"resources.requests of container '{name}'")
    limits = _map(resources.get("limits"), f"resources.limits of container '{name}'")
    if requests.get("gpu") or limits.get("gpu"):
        raise AzLocalError(f"The container '{name}' requests a GPU, but this machine's Docker Engine "
                           "has no GPU to give it.")
    command = p.get("command")
    if command is not None and (not isinstance(command, list) or not all(isinstance(w, str) for w in command)):
        raise ValidationError(f"The YAML file is not valid: the command of container '{name}' must be a list "
                              "of strings.")
    props = {k: v for k, v in p.items() if k != "instanceView"}
    props.update({
        "image": p["image"],
        "command": command,
        "ports": _ports(p.get("ports"), f"ports of container '{name}'"),
        "environmentVariables": [_env(_map(e, "an environment variable"))
                                 for e in _seq(p.get("environmentVariables"),
                                               f"environmentVariables of container '{name}'")],
        "resources": dict(resources, requests=dict(
            requests, cpu=_num(requests.get("cpu", 1), f"the cpu request of container '{name}'"),
            memoryInGB=_num(requests.get("memoryInGB", 1.5), f"the memoryInGB request of container '{name}'"))),
        "volumeMounts": [dict(m, name=m.get("name"), mountPath=m.get("mountPath"),
                              readOnly=bool(m.get("readOnly", False)))
                         for m in (_map(x, "a volume mount") for x in _seq(p.get("volumeMounts"), "volumeMounts"))],
        "livenessProbe": _probe(p.get("livenessProbe"), "livenessProbe"),
        "readinessProbe": _probe(p.get("readinessProbe"), "readinessProbe"),
    })
    if limits:
        props["resources"]["limits"] = {k: (_num(v, f"resources.limits.{k} of container '{name}'")
                                            if k in ("cpu", "memoryInGB") else v) for k, v in limits.items()}
    for key in ("securityContext", "configMap"):
        if p.get(key) is not None:
            props[key] = _map(p[key], f"{key} of container '{name}'")
    if init:
        for key in ("ports", "livenessProbe", "readinessProbe"):
            props.pop(key, None)
    return {"name": name, "properties": props}


def _volume(v):
    v = _map(v, "a volume")
    volume = dict(v)
    if "azureFile" in v:
        share = _map(v["azureFile"], "azureFile")
        volume["azureFile"] = dict(share, readOnly=bool(share.get("readOnly", False)))
    if "gitRepo" in v:
        volume["gitRepo"] = dict(_map(v["gitRepo"], "gitRepo"))
    if "secret" in v:
        volume["secret"] = dict(_map(v["secret"], "secret"))
    if "emptyDir" in v:
        volume["emptyDir"] = _map(v["emptyDir"], "emptyDir")
    return volume


def _identity(value):
    from azlocal.aci import options

    value = _map(value, "identity")
    kind = str(value.get("type") or "")
    if not kind or kind.lower() == "none":
        return None
    users = list(_map(value.get("userAssignedIdentities"), "identity.userAssignedIdentities"))
    assigned = ([options.SYSTEM_IDENTITY] if "systemassigned" in kind.lower().replace(" ", "") else []) + users
    return options.identity(assigned)  # the group's containers get its tokens from IMDS


def from_data(raw, what="The YAML file"):
    """The definition from YAML data already loaded (a dict)."""
    from azlocal.aci import options

    if not isinstance(raw, dict) or not isinstance(raw.get("properties"), dict):
        raise ValidationError(f"{what} must define 'properties' of a container group.")
    raw = yaml_keys.canonical(raw)
    props = raw["properties"]
    containers = _seq(props.get("containers"), "containers")
    if not containers:
        raise ValidationError("The container group must have at least one container.")
    refuse_unavailable(props)
    definition = {k: v for k, v in raw.items() if k not in ("properties", "apiVersion", "type", "id")}
    definition.setdefault("name", None)
    definition.setdefault("location", None)
    definition.setdefault("tags", None)
    if "identity" in raw:
        definition["identity"] = _identity(raw["identity"])
    if raw.get("zones") is not None:
        definition["zones"] = [str(z) for z in _seq(raw.get("zones"), "zones")]
    out = {k: v for k, v in props.items() if k not in READ_ONLY}
    out.update({
        "containers": [container(c) for c in containers],
        "initContainers": [container(c, init=True) for c in _seq(props.get("initContainers"), "initContainers")],
        "osType": props.get("osType", "Linux"),
        "restartPolicy": props.get("restartPolicy", "Always"),
        "volumes": [_volume(v) for v in _seq(props.get("volumes"), "volumes")],
        "imageRegistryCredentials": [dict(c) for c in (_map(x, "an image registry credential") for x in
                                                        _seq(props.get("imageRegistryCredentials"),
                                                             "imageRegistryCredentials"))],
    })
    if props.get("sku") is not None:
        out["sku"] = options.canonical(props["sku"], options.SKUS, "SKU", "InvalidContainerGroupSku")
    out["priority"] = options.canonical(props.get("priority"), options.PRIORITIES, "priority",
                                        "InvalidContainerGroupPriority")
    if out.get("sku") == "Confidential":
        ccp = dict(_map(props.get("confidentialComputeProperties"), "confidentialComputeProperties"))
        ccp["ccePolicy"] = ccp.get("ccePolicy") or options.DEFAULT_CCE_POLICY
        out["confidentialComputeProperties"] = ccp
    ip = _map(props.get("ipAddress"), "ipAddress")
    if ip:
        out["ipAddress"] = {k: v for k, v in ip.items() if k not in ("ip", "fqdn")}
        out["ipAddress"].update(type=ip.get("type", "Public"), dnsNameLabel=ip.get("dnsNameLabel"),
                                ports=_ports(ip.get("ports"), "ipAddress.ports"))
    else:
        out.pop("ipAddress", None)
    if props.get("diagnostics"):
        logger.warning("Log Analytics is not emulated yet: the diagnostics settings are recorded and no logs are "
                       "sent.")
    definition["properties"] = out
    return definition


def refuse_unavailable(props):
    """What a YAML file may ask for that needs a service azlocal does not have."""
    if props.get("subnetIds"):
        raise AzLocalError("A container group in a virtual network (subnetIds) needs Azure Virtual Network, "
                           "which azlocal does not emulate: leave out subnetIds (the group gets its own loopback "
                           "address).")
    if props.get("standbyPoolProfile"):
        raise AzLocalError("The container group asks for a standby pool (standbyPoolProfile): azlocal does not "
                           "emulate standby pools (Microsoft.StandbyPool).")


def definition_from_yaml(text):
    from azlocal.core import yamlsafe

    return from_data(yamlsafe.load(text))
