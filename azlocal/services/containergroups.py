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
import re
import time

from azlocal import safepath, settings
from azlocal.engine import labels
from azlocal.errors import AzLocalError, ResourceNotFound, ValidationError
from azlocal.services import arm, groups
from azlocal.services.locations import normalise_location
from azlocal.state import secrets
from azlocal.state.store import store

GROUP_TYPE = "Microsoft.ContainerInstance/containerGroups"
RESTART = {"Always": "always", "OnFailure": "on-failure", "Never": "no"}
_NAME = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")
MAX_CPU, MAX_MEMORY = 4.0, 16.0
INFRA_COMMAND = ["sh", "-c", "trap 'exit 0' TERM INT; while :; do sleep 3600 & wait $!; done"]


# Lookup ----------------------------------------------------------------------------------------

def _id(group, name):
    return arm.resource_id(group, GROUP_TYPE, name)


def _stored(resource_group, name):
    groups.get(resource_group)
    doc = store().get(_id(resource_group, name))
    if doc is None:
        raise ResourceNotFound(f"The Resource '{GROUP_TYPE}/{name}' under resource group '{resource_group}' was "
                               "not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix")
    return doc


def show(resource_group, name):
    return with_instance_view(_stored(resource_group, name))


def list_groups(resource_group=None):
    if resource_group:
        groups.get(resource_group)
    return [with_instance_view(d) for d in store().list(type=GROUP_TYPE, resource_group=resource_group)]


# Validation and the definition -------------------------------------------------------------------

def _check_name(name, what="container group"):
    if not _NAME.match(name or "") or "--" in name:
        raise ValidationError(f"The {what} name '{name}' is invalid. It must be 1-63 lower case letters, digits "
                              "or '-', and must not start or end with '-' or contain '--'.")


def _parse_pairs(items, what):
    result = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise ValidationError(f"usage error: {what} must be in 'key=value' format, got '{item}'")
        result[key.strip("'\"")] = value.strip("'\"")
    return result


def definition_from_args(name, image, cpu, memory, ports, protocol, ip_address, dns_name_label, restart_policy,
                         environment_variables, secure_environment_variables, command_line, os_type,
                         registry_login_server, registry_username, registry_password, secrets_=None,
                         secrets_mount_path=None, azure_file=None, location=None):
    """The group as ACI's YAML would define it, from `az container create` flags."""
    if not image:
        raise ValidationError("usage error: --image IMAGE | --file FILE")
    env = [{"name": k, "value": v} for k, v in _parse_pairs(environment_variables, "environment variables").items()]
    env += [{"name": k, "secureValue": v}
            for k, v in _parse_pairs(secure_environment_variables, "secure environment variables").items()]
    container = {"name": name, "properties": {
        "image": image,
        "command": arm.split_words(command_line) if command_line else None,
        "ports": [{"port": p, "protocol": protocol or "TCP"} for p in ports],
        "environmentVariables": env,
        "resources": {"requests": {"cpu": cpu, "memoryInGB": memory}},
        "volumeMounts": [],
    }}
    volumes = []
    if secrets_:
        if not secrets_mount_path:
            raise ValidationError("usage error: --secrets requires --secrets-mount-path")
        import base64

        files = {k: base64.b64encode(v.encode()).decode() for k, v in _parse_pairs(secrets_, "secrets").items()}
        volumes.append({"name": "secrets-volume", "secret": files})
        container["properties"]["volumeMounts"].append({"name": "secrets-volume", "mountPath": secrets_mount_path,
                                                        "readOnly": True})
    if azure_file and azure_file.get("shareName"):
        if not azure_file.get("mountPath"):
            raise ValidationError("usage error: --azure-file-volume-share-name requires "
                                  "--azure-file-volume-mount-path")
        volumes.append({"name": "azurefile", "azureFile": {
            "shareName": azure_file["shareName"], "storageAccountName": azure_file.get("accountName"),
            "storageAccountKey": azure_file.get("accountKey")}})
        container["properties"]["volumeMounts"].append({"name": "azurefile", "mountPath": azure_file["mountPath"]})
    properties = {
        "containers": [container],
        "initContainers": [],
        "osType": os_type or "Linux",
        "restartPolicy": restart_policy or "Always",
        "volumes": volumes,
        "imageRegistryCredentials": ([{"server": registry_login_server, "username": registry_username,
                                       "password": registry_password}] if registry_login_server else []),
    }
    if ip_address or dns_name_label:
        properties["ipAddress"] = {"type": ip_address or "Public", "dnsNameLabel": dns_name_label,
                                   "ports": [{"port": p, "protocol": protocol or "TCP"} for p in ports]}
    return {"name": name, "location": location, "properties": properties}


def _lower_keys(value):
    """ACI's YAML keys are matched case-insensitively (memoryInGB / memoryInGb both appear)."""
    if isinstance(value, dict):
        return {k.lower() if isinstance(k, str) else k: _lower_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_lower_keys(v) for v in value]
    return value


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
    return [{"port": _num(_map(x, what).get("port", 0), f"{what} port", int),
             "protocol": str(x.get("protocol", "TCP")).upper()} for x in _seq(items, what)]


def definition_from_yaml(text):
    from azlocal import yamlsafe

    raw = yamlsafe.load(text)
    if not isinstance(raw, dict) or not isinstance(raw.get("properties"), dict):
        raise ValidationError("The YAML file must define 'properties' of a container group.")
    low = _lower_keys(raw)
    props = low["properties"]

    def container(c):
        if not isinstance(c, dict) or not isinstance(c.get("properties"), dict):
            raise ValidationError("Each container must have a name and properties.")
        p = c["properties"]
        name = str(c.get("name", ""))
        if not p.get("image") or not isinstance(p["image"], str):
            raise ValidationError(f"The container '{name}' has no image.")
        resources = _map(p.get("resources"), f"resources of container '{name}'")
        requests = _map(resources.get("requests"), f"resources.requests of container '{name}'")
        if requests.get("gpu") or _map(resources.get("limits"), "resources.limits").get("gpu"):
            raise AzLocalError(f"The container '{name}' requests a GPU, but this machine's Docker Engine "
                               "has no GPU to give it.")
        command = p.get("command")
        if command is not None and (not isinstance(command, list) or not all(isinstance(w, str) for w in command)):
            raise ValidationError(f"The YAML file is not valid: the command of container '{name}' must be a list "
                                  "of strings.")
        return {"name": name, "properties": {
            "image": p["image"],
            "command": command,
            "ports": _ports(p.get("ports"), f"ports of container '{name}'"),
            "environmentVariables": [_env(_map(e, "an environment variable"))
                                     for e in _seq(p.get("environmentvariables"),
                                                   f"environmentVariables of container '{name}'")],
            "resources": {"requests": {
                "cpu": _num(requests.get("cpu", 1), f"the cpu request of container '{name}'"),
                "memoryInGB": _num(requests.get("memoryingb", 1.5), f"the memoryInGB request of container '{name}'")}},
            "volumeMounts": [{"name": m.get("name"), "mountPath": m.get("mountpath"),
                              "readOnly": bool(m.get("readonly", False))}
                             for m in (_map(x, "a volume mount") for x in _seq(p.get("volumemounts"),
                                                                               "volumeMounts"))],
            "livenessProbe": _map(p.get("livenessprobe"), "livenessProbe") or None,
            "readinessProbe": _map(p.get("readinessprobe"), "readinessProbe") or None,
        }}

    containers = _seq(props.get("containers"), "containers")
    if not containers:
        raise ValidationError("The container group must have at least one container.")
    ip = _map(props.get("ipaddress"), "ipAddress")
    volumes = []
    for v in _seq(props.get("volumes"), "volumes"):
        v = _map(v, "a volume")
        volume = {"name": v.get("name")}
        for kind, key in (("emptydir", "emptyDir"), ("secret", "secret"), ("azurefile", "azureFile"),
                          ("gitrepo", "gitRepo")):
            if kind in v:
                volume[key] = _azure_file(_map(v[kind], "azureFile")) if kind == "azurefile" else (
                    _git_repo(_map(v[kind], "gitRepo")) if kind == "gitrepo" else (
                        raw_volume(raw, v.get("name"), key) or {}))
        volumes.append(volume)
    definition = {
        "name": raw.get("name"),
        "location": raw.get("location"),
        "tags": raw.get("tags"),
        "properties": {
            "containers": [container(c) for c in containers],
            "initContainers": [container(c) for c in _seq(props.get("initcontainers"), "initContainers")],
            "osType": props.get("ostype", "Linux"),
            "restartPolicy": props.get("restartpolicy", "Always"),
            "volumes": volumes,
            "imageRegistryCredentials": [{"server": c.get("server"), "username": c.get("username"),
                                          "password": c.get("password")}
                                         for c in (_map(x, "an image registry credential") for x in
                                                   _seq(props.get("imageregistrycredentials"),
                                                        "imageRegistryCredentials"))],
        },
    }
    if ip:
        definition["properties"]["ipAddress"] = {
            "type": ip.get("type", "Public"), "dnsNameLabel": ip.get("dnsnamelabel"),
            "ports": _ports(ip.get("ports"), "ipAddress.ports")}
    return definition


def raw_volume(raw, name, key):
    """Secret file names are case-sensitive: take them from the original YAML, not the lower-cased copy."""
    for v in raw["properties"].get("volumes") or []:
        if isinstance(v, dict) and v.get("name") == name:
            for k, value in v.items():
                if k.lower() == key.lower():
                    return value
    return None


def _env(e):
    out = {"name": e.get("name")}
    if "securevalue" in e:
        out["secureValue"] = str(e["securevalue"])
    else:
        out["value"] = None if e.get("value") is None else str(e.get("value"))
    return out


def _azure_file(v):
    return {"shareName": v.get("sharename"), "storageAccountName": v.get("storageaccountname"),
            "storageAccountKey": v.get("storageaccountkey"), "readOnly": bool(v.get("readonly", False))}


def _git_repo(v):
    return {"repository": v.get("repository"), "directory": v.get("directory"), "revision": v.get("revision")}


def validate(definition):
    """Azure's checks, all before anything is created."""
    name = definition.get("name")
    _check_name(name)
    props = definition["properties"]
    if props["restartPolicy"] not in RESTART:
        raise ValidationError(f"The restart policy '{props['restartPolicy']}' is not supported. Allowed values: "
                              "Always, OnFailure, Never.")
    if props["osType"] not in ("Linux", "Windows"):
        raise ValidationError(f"The OS type '{props['osType']}' is not supported.")
    if props["osType"] == "Windows":
        raise AzLocalError("Windows containers cannot run on this machine's Docker Engine (Linux).")
    names, cpu, memory, ports = set(), 0.0, 0.0, set()
    volume_names = {v["name"] for v in props["volumes"]}
    for c in props["containers"] + props["initContainers"]:
        _check_name(c["name"], "container")
        if c["name"] in names:
            raise ValidationError(f"Duplicate container name '{c['name']}' in the container group.")
        names.add(c["name"])
        req = c["properties"]["resources"]["requests"]
        if not 0 < req["cpu"] <= MAX_CPU:
            raise ValidationError(f"The CPU request {req['cpu']} of container '{c['name']}' is invalid: it must be "
                                  f"greater than 0 and at most {MAX_CPU:g}.")
        if not 0 < req["memoryInGB"] <= MAX_MEMORY:
            raise ValidationError(f"The memory request {req['memoryInGB']} GB of container '{c['name']}' is "
                                  f"invalid: it must be greater than 0 and at most {MAX_MEMORY:g}.")
        if c in props["containers"]:
            cpu += req["cpu"]
            memory += req["memoryInGB"]
            for p in c["properties"]["ports"]:
                _check_port(p)
                if (p["port"], p["protocol"]) in ports:
                    raise ValidationError(f"Duplicate port {p['port']} in the container group: ports must be "
                                          "unique across its containers.")
                ports.add((p["port"], p["protocol"]))
        for m in c["properties"]["volumeMounts"]:
            if m["name"] not in volume_names:
                raise ValidationError(f"The volume mount '{m['name']}' of container '{c['name']}' names no volume.")
            if not isinstance(m["mountPath"], str) or not m["mountPath"].startswith("/"):
                raise ValidationError(f"The mount path '{m['mountPath']}' of volume mount '{m['name']}' in container "
                                      f"'{c['name']}' must be an absolute path.")
    if cpu > MAX_CPU or memory > MAX_MEMORY:
        raise ValidationError(f"The container group requests {cpu:g} CPU and {memory:g} GB; at most {MAX_CPU:g} "
                              f"CPU and {MAX_MEMORY:g} GB are allowed.")
    ip = props.get("ipAddress")
    if ip:
        for p in ip["ports"]:
            _check_port(p)
        if ip.get("dnsNameLabel"):
            _check_name(ip["dnsNameLabel"], "DNS name label")
    _check_volumes(props["volumes"])


def _check_volumes(volumes):
    """Azure's rules for the names that become paths on the host (volumes, secret files, shares)."""
    seen = set()
    for v in volumes:
        safepath.check_name("volume", v.get("name"))
        if v["name"] in seen:
            raise ValidationError(f"Duplicate volume name '{v['name']}' in the container group.")
        seen.add(v["name"])
        if "gitRepo" in v:
            raise AzLocalError("gitRepo volumes need to clone from the network, which is not available offline.")
        if "secret" in v:
            if not isinstance(v["secret"], dict):
                raise ValidationError(f"The secret volume '{v['name']}' must map file names to base64 values.")
            for fname, value in v["secret"].items():
                safepath.check_name("secret file", fname)
                _check_base64(v["name"], fname, value)
        if "azureFile" in v:
            share = v["azureFile"]
            if not share.get("shareName") or not share.get("storageAccountName"):
                raise ValidationError(f"The Azure Files volume '{v['name']}' needs 'shareName' and "
                                      "'storageAccountName'.")
            safepath.check_name("file share", share["shareName"])
            safepath.check_name("storage account", share["storageAccountName"])


def _check_base64(volume, fname, value):
    import base64
    import binascii

    try:
        base64.b64decode(str(value), validate=True)
    except (binascii.Error, ValueError) as ex:
        raise ValidationError(f"The secret '{fname}' of volume '{volume}' is not valid base64.") from ex


def _check_port(p):
    if not isinstance(p.get("port"), int) or not 1 <= p["port"] <= 65535:
        raise ValidationError(f"The port '{p.get('port')}' is invalid: ports must be between 1 and 65535.")
    if p["protocol"] not in ("TCP", "UDP"):
        raise ValidationError(f"The protocol '{p['protocol']}' is invalid. Allowed values: TCP, UDP.")


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
    if s.get(rid) is not None:
        raise AzLocalError(f"(ContainerGroupAlreadyExists) The container group '{name}' already exists; delete it "
                           "first to change its definition.")
    props = definition["properties"]
    ip = props.get("ipAddress")
    fqdn = None
    if ip and ip.get("dnsNameLabel"):
        fqdn = f"{ip['dnsNameLabel']}.{location}.azurecontainer.io"
        for other in s.list(type=GROUP_TYPE):
            if (other.get("ipAddress") or {}).get("fqdn") == fqdn:
                raise AzLocalError(f"(DnsNameLabelAlreadyInUse) The DNS name label '{ip['dnsNameLabel']}' is already "
                                   f"in use in region '{location}'.")
    address = _allocate_address(rid)
    doc = _document(rid, name, location, definition, address, fqdn, tags)
    if any(c["properties"].get("livenessProbe") for c in props["containers"]):
        from azlocal.daemon import lifecycle

        lifecycle.ensure_running()  # the daemon acts on failed liveness probes
    created = []
    try:
        _store_secure_values(rid, props)
        _start_group(doc, props, created)
        with s.transaction():
            s.put(doc)
        if fqdn:
            from azlocal.daemon import hosts

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


def _document(rid, name, location, definition, address, fqdn, tags):
    props = definition["properties"]
    ip = props.get("ipAddress")

    def public(c):
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
            "securityContext": None,
            "volumeMounts": p["volumeMounts"] or None,
        }

    volumes = []
    for v in props["volumes"]:
        shown = {"azureFile": None, "emptyDir": None, "gitRepo": None, "name": v["name"], "secret": None}
        if "emptyDir" in v:
            shown["emptyDir"] = {}
        if "azureFile" in v:
            shown["azureFile"] = dict(v["azureFile"], storageAccountKey=None)
        if "secret" in v:
            shown["secret"] = {}  # secret volumes show no content, as Azure
        volumes.append(shown)
    return {
        "confidentialComputeProperties": None,
        "containers": [public(c) for c in props["containers"]],
        "diagnostics": None,
        "dnsConfig": None,
        "encryptionProperties": None,
        "extensions": None,
        "id": rid,
        "identity": None,
        "imageRegistryCredentials": [{"identity": None, "identityUrl": None, "password": None,
                                      "server": c["server"], "username": c["username"]}
                                     for c in props["imageRegistryCredentials"]] or None,
        "initContainers": [dict(public(c), instanceView=None) for c in props["initContainers"]],
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
        "priority": None,
        "provisioningState": "Succeeded",
        "restartPolicy": props["restartPolicy"],
        "sku": "Standard",
        "subnetIds": None,
        "tags": tags if tags is not None else definition.get("tags"),
        "type": GROUP_TYPE,
        "volumes": volumes or None,
        "zones": None,
    }


def _secret_prefix(rid):
    """Keys `aci/<group key>/<resource key>/…`: a group delete finds them even without the row."""
    return secrets.resource_prefix("aci", rid)


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


# Docker objects ----------------------------------------------------------------------------------

def _short(rid):
    return hashlib.sha256(rid.lower().encode()).hexdigest()[:10]


def _names(doc):
    # The hash mixes in the home: another home's group of the same name gets other Docker names.
    base = f"azlocal-aci-{doc['name'][:30]}-{labels.name_hash(doc['id'])}"
    return base + "-infra", base + "-net", base


def _group_labels(doc, role):
    from azlocal.state.store import group_of

    return labels.labels_for(group=group_of(doc["id"]), resource_id=doc["id"], **{"azlocal.aci.role": role})


def _remove_objects(created):
    for obj in reversed(created):
        try:
            obj.remove(force=True) if hasattr(obj, "kill") else obj.remove()
        except Exception:
            pass


def _registry_auth(doc, image):
    server = image.split("/")[0].lower()
    prefix = _secret_prefix(doc["id"])
    for cred in doc.get("imageRegistryCredentials") or []:
        if cred["server"].lower() == server:
            return {"username": cred["username"], "password": secrets.get_secret(f"{prefix}registry/{cred['server']}")}
    return None


def _ensure_image(client, doc, image):
    from azlocal.engine import standins

    auth = _registry_auth(doc, image)
    if auth:
        from azlocal.engine.lookup import retry_on_lookup

        repo, _, tag = image.rpartition(":") if ":" in image.rsplit("/", 1)[-1] else (image, "", "latest")
        try:
            retry_on_lookup(lambda: client.images.pull(repo, tag=tag, auth_config=auth))
        except Exception as ex:
            raise AzLocalError(f"(InaccessibleImage) The image '{image}' in container group '{doc['name']}' is not "
                               f"accessible. Please check the image and registry credential. ({ex})") from ex
        return
    try:
        standins.ensure_image(client, image)
    except AzLocalError as ex:
        raise AzLocalError(f"(InaccessibleImage) The image '{image}' in container group '{doc['name']}' is not "
                           f"accessible. Please check the image and registry credential. ({ex})") from ex


def _volume_binds(client, doc, props, created):
    """Docker volumes / folders for the group's volumes: name -> host source."""
    from azlocal.state.store import group_of

    sources = {}
    prefix = _secret_prefix(doc["id"])
    for v in props["volumes"]:
        if "emptyDir" in v:
            vol = client.volumes.create(name=f"{_names(doc)[2]}-{v['name']}",
                                        labels=labels.labels_for(group=group_of(doc["id"]), resource_id=doc["id"]))
            created.append(vol)
            sources[v["name"]] = vol.name
        elif "secret" in v:
            import base64

            folder = safepath.home_path("aci-secrets", _short(doc["id"]), ("volume", v["name"]))
            folder.mkdir(parents=True, exist_ok=True)
            folder.chmod(0o700)
            files = json.loads(secrets.get_secret(f"{prefix}volume/{v['name']}") or "{}")
            for fname, b64 in files.items():
                path = safepath.home_path(("secret file", fname), base=folder)
                path.write_bytes(base64.b64decode(b64))
                path.chmod(0o444)
            sources[v["name"]] = str(folder)
        elif "azureFile" in v:
            # An Azure Files share, kept as a folder of this home: what one container writes, another
            # group mounting the same share reads, and it outlives the group as a share does.
            share = v["azureFile"]
            folder = safepath.home_path("fileshares", ("storage account", share.get("storageAccountName")),
                                        ("file share", share.get("shareName")))
            folder.mkdir(parents=True, exist_ok=True)
            sources[v["name"]] = str(folder)
    return sources


def _start_group(doc, props, created):
    """A single container publishes the group's ports itself; several share an infra container's
    network namespace (a pod), so each can restart without the others losing localhost."""
    from azlocal.engine.docker_client import client as docker_client
    from azlocal.engine.standins import build_base

    client = docker_client()
    for c in props["initContainers"] + props["containers"]:
        _ensure_image(client, doc, c["properties"]["image"])
    infra_name, net_name, base = _names(doc)
    ip = doc["ipAddress"]["ip"]
    published = {f"{p['port']}/{p['protocol'].lower()}": (ip, p["port"]) for p in doc["ipAddress"]["ports"]}
    sources = _volume_binds(client, doc, props, created)
    if len(props["containers"]) == 1 and not props["initContainers"]:
        container = _create_container(client, doc, props["containers"][0], None, sources, base, "app",
                                      restart=True, ports=published)
        created.append(container)
        container.start()
        return
    network = client.networks.create(net_name, driver="bridge", labels=_group_labels(doc, "network"))
    created.append(network)
    infra = client.containers.run(build_base(client), INFRA_COMMAND, name=infra_name, detach=True,
                                  network=network.id, ports=published or None, labels=_group_labels(doc, "infra"),
                                  hostname=doc["name"][:63])
    created.append(infra)
    for c in props["initContainers"]:
        container = _create_container(client, doc, c, infra, sources, base, "init", restart=False)
        created.append(container)
        container.start()
        code = container.wait().get("StatusCode", 1)
        if code != 0:
            raise AzLocalError(f"(ContainerGroupDeploymentFailed) The init container '{c['name']}' exited with "
                               f"code {code}.")
    for c in props["containers"]:
        container = _create_container(client, doc, c, infra, sources, base, "app", restart=True)
        created.append(container)
        container.start()


def _create_container(client, doc, c, infra, sources, base, role, restart, ports=None):
    p = c["properties"]
    prefix = _secret_prefix(doc["id"])
    env = {}
    for e in p["environmentVariables"]:
        if "secureValue" in e:
            env[e["name"]] = secrets.get_secret(f"{prefix}env/{c['name']}/{e['name']}") or ""
        else:
            env[e["name"]] = e.get("value") or ""
    binds = {}
    for m in p["volumeMounts"]:
        binds[sources[m["name"]]] = {"bind": m["mountPath"], "mode": "ro" if m.get("readOnly") else "rw"}
    healthcheck = _healthcheck(p.get("livenessProbe")) if restart else None
    policy = {"Name": RESTART[doc["restartPolicy"]]} if restart else None
    if policy and policy["Name"] == "no":
        policy = None
    requests = p["resources"]["requests"]
    return client.containers.create(
        p["image"], command=p["command"] or None, name=f"{base}-{c['name']}"[:120], environment=env,
        network_mode=f"container:{infra.id}" if infra else None, ports=ports or None,
        hostname=None if infra else doc["name"][:63], volumes=binds or None, restart_policy=policy,
        nano_cpus=int(requests["cpu"] * 1e9), mem_limit=int(requests["memoryInGB"] * 1024 ** 3),
        labels=dict(_group_labels(doc, role), **{"azlocal.aci.container": c["name"]}), healthcheck=healthcheck,
    )


def _healthcheck(probe):
    """A liveness probe as a Docker healthcheck; the daemon restarts containers it finds unhealthy."""
    if not probe:
        return None
    probe = {k.lower(): v for k, v in probe.items()}
    if probe.get("exec"):
        command = {k.lower(): v for k, v in probe["exec"].items()}.get("command") or []
        test = ["CMD"] + [str(x) for x in command]
    elif probe.get("httpget"):
        get = {k.lower(): v for k, v in probe["httpget"].items()}
        test = ["CMD", "wget", "-q", "-O", "/dev/null", f"http://localhost:{get.get('port', 80)}{get.get('path', '/')}"]
    else:
        return None
    second = 1_000_000_000
    return {"test": test, "interval": int(probe.get("periodseconds", 10)) * second,
            "timeout": int(probe.get("timeoutseconds", 1)) * second, "retries": int(probe.get("failurethreshold", 3)),
            "start_period": int(probe.get("initialdelayseconds", 0)) * second}


def restart_unhealthy():
    """Liveness: restart every container of this home whose probe has failed (called by the daemon), or
    stop it under the Never policy, as ACI does. Docker does not count these restarts: the store does."""
    from azlocal.engine.docker_client import client as docker_client

    wanted = {"label": [f"{labels.HOME}={settings.label_value()}", "azlocal.aci.role=app"], "health": "unhealthy"}
    restarted = []
    s = store()
    for container in docker_client().containers.list(filters=wanted):
        if container.attrs["HostConfig"]["RestartPolicy"]["Name"] in ("", "no"):
            container.stop(timeout=5)
        else:
            container.restart(timeout=5)
        with s.transaction():
            key = f"aci-probe-restarts/{container.id}"
            s.set_value(key, s.get_value(key, 0) + 1)
        restarted.append(container.name)
    return restarted


def _containers(doc, role="app"):
    from azlocal.engine.docker_client import client as docker_client

    wanted = [f"{labels.RESOURCE}={doc['id'].lower()}", f"azlocal.aci.role={role}",
              f"{labels.HOME}={settings.label_value()}"]
    found = docker_client().containers.list(all=True, filters={"label": wanted})
    by_name = {c.labels.get("azlocal.aci.container"): c for c in found}
    return by_name


def _wait_started(doc, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        states = [c.attrs["State"] for c in _containers(doc).values()]
        if states and all(s["Status"] in ("running", "exited") for s in states):
            return
        time.sleep(0.1)


# Live state -----------------------------------------------------------------------------------

def with_instance_view(doc):
    """The stored document plus its live state from Docker."""
    from azlocal.engine import docker_client

    doc = json.loads(json.dumps(doc))
    if not docker_client.reachable():
        return doc
    live = _containers(doc)
    stopped = store().get_value(f"aci-stopped/{doc['id'].lower()}", False)
    states = []
    for c in doc["containers"]:
        container = live.get(c["name"])
        view = _container_view(container)
        c["instanceView"] = view
        states.append((container.attrs["State"] if container else None, view))
    doc["instanceView"] = {"events": [], "state": _group_state(doc, states, stopped)}
    return doc


def _time(value):
    if not value or value.startswith("0001-"):
        return None
    return value[:26].rstrip("Z") + "+00:00" if "." in value else value.replace("Z", "+00:00")


def _container_view(container):
    if container is None:
        return {"currentState": {"detailStatus": "", "exitCode": None, "finishTime": None, "startTime": None,
                                 "state": "Waiting"}, "events": [], "previousState": None, "restartCount": 0}
    state = container.attrs["State"]
    restarts = container.attrs.get("RestartCount", 0) + store().get_value(f"aci-probe-restarts/{container.id}", 0)
    if state["Status"] == "running":
        current = {"detailStatus": "", "exitCode": None, "finishTime": None, "startTime": _time(state["StartedAt"]),
                   "state": "Running"}
    elif state["Status"] in ("exited", "dead"):
        current = {"detailStatus": "Completed" if state["ExitCode"] == 0 else "Error", "exitCode": state["ExitCode"],
                   "finishTime": _time(state["FinishedAt"]), "startTime": _time(state["StartedAt"]),
                   "state": "Terminated"}
    elif state["Status"] == "restarting":
        current = {"detailStatus": "CrashLoopBackOff: Back-off restarting failed", "exitCode": None,
                   "finishTime": None, "startTime": None, "state": "Waiting"}
    else:
        current = {"detailStatus": "", "exitCode": None, "finishTime": None, "startTime": None, "state": "Waiting"}
    previous = None
    if restarts:
        previous = {"detailStatus": "Error" if state.get("ExitCode") else "Completed",
                    "exitCode": state.get("ExitCode"), "finishTime": _time(state.get("FinishedAt")),
                    "startTime": None, "state": "Terminated"}
    created = _time(container.attrs.get("Created"))
    started = _time(state.get("StartedAt"))
    image = container.attrs["Config"]["Image"]
    events = [
        {"count": 1, "firstTimestamp": created, "lastTimestamp": created, "message": f'pulling image "{image}"',
         "name": "Pulling", "type": "Normal"},
        {"count": 1, "firstTimestamp": created, "lastTimestamp": created,
         "message": f'Successfully pulled image "{image}"', "name": "Pulled", "type": "Normal"},
        {"count": restarts + 1, "firstTimestamp": created, "lastTimestamp": created, "message": "Created container",
         "name": "Created", "type": "Normal"},
    ]
    if started:
        events.append({"count": restarts + 1, "firstTimestamp": started, "lastTimestamp": started,
                       "message": "Started container", "name": "Started", "type": "Normal"})
    return {"currentState": current, "events": events, "previousState": previous, "restartCount": restarts}


def _group_state(doc, states, stopped):
    if stopped:
        return "Stopped"
    if any(view["currentState"]["state"] == "Running" or (raw and raw.get("Restarting")) for raw, view in states):
        return "Running"
    if not states or any(raw is None for raw, _ in states):
        return "Pending"
    if doc["restartPolicy"] == "Always":
        return "Running"
    if all(view["currentState"].get("exitCode") == 0 for _, view in states):
        return "Succeeded"
    if doc["restartPolicy"] == "OnFailure":
        # a failed container is being restarted
        return "Running" if any(raw.get("Status") != "exited" for raw, _ in states) else "Failed"
    return "Failed"


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

    from azlocal.daemon import hosts
    from azlocal.engine.docker_client import client as docker_client

    client = docker_client()
    wanted = {"label": [f"{labels.RESOURCE}={doc['id'].lower()}", f"{labels.HOME}={settings.label_value()}"]}
    s = store()
    for container in client.containers.list(all=True, filters=wanted):
        with s.transaction():
            s.delete_value(f"aci-probe-restarts/{container.id}")
        if container.labels.get("azlocal.aci.role") != "infra":
            container.remove(force=True, v=True)
    for container in client.containers.list(all=True, filters=wanted):
        container.remove(force=True, v=True)
    for network in client.networks.list(filters=wanted):
        network.remove()
    for volume in client.volumes.list(filters=wanted):
        volume.remove(force=True)
    fqdn = (doc.get("ipAddress") or {}).get("fqdn")
    if fqdn:
        hosts.set_entries(remove=[fqdn])
    shutil.rmtree(settings.home() / "aci-secrets" / _short(doc["id"]), ignore_errors=True)
    secrets.delete_prefix(_secret_prefix(doc["id"]))


def stop(resource_group, name):
    doc = _stored(resource_group, name)
    for container in _containers(doc).values():
        container.update(restart_policy={"Name": "no"})
        container.stop(timeout=10)
    s = store()
    with s.transaction():
        s.set_value(f"aci-stopped/{doc['id'].lower()}", True)


def start(resource_group, name):
    doc = _stored(resource_group, name)
    policy = RESTART[doc["restartPolicy"]]
    for container in _containers(doc, "infra").values():
        container.start()
    for container in _containers(doc).values():
        if policy != "no":
            container.update(restart_policy={"Name": policy})
        container.start()
    s = store()
    with s.transaction():
        s.delete_value(f"aci-stopped/{doc['id'].lower()}")


def restart(resource_group, name):
    doc = _stored(resource_group, name)
    for container in _containers(doc).values():
        container.restart(timeout=10)
    s = store()
    with s.transaction():
        s.delete_value(f"aci-stopped/{doc['id'].lower()}")


def _one_container(doc, container_name):
    live = _containers(doc)
    if container_name is None:
        container_name = doc["containers"][0]["name"]
    if container_name not in live:
        raise ResourceNotFound(f"The container '{container_name}' does not exist in container group '{doc['name']}'.",
                               code="ContainerNotFound")
    return live[container_name]


def logs(resource_group, name, container_name=None, follow=False, out=None):
    import sys

    doc = _stored(resource_group, name)
    container = _one_container(doc, container_name)
    out = out or sys.stdout
    if follow:
        for chunk in container.logs(stream=True, follow=True):
            out.write(chunk.decode(errors="replace"))
            out.flush()
        return
    out.write(container.logs().decode(errors="replace"))


def exec_command(resource_group, name, command, container_name=None):
    """Runs a command in a container: interactive with a terminal, otherwise output and status come back."""
    import os
    import subprocess
    import sys

    doc = _stored(resource_group, name)
    container = _one_container(doc, container_name)
    argv = arm.split_words(command, "--exec-command")
    if not argv:
        raise ValidationError("usage error: --exec-command must name a program")
    tty = sys.stdin.isatty() and sys.stdout.isatty()
    flags = ["-it"] if tty else ["-i"] if not sys.stdin.isatty() and os.environ.get("AZLOCAL_EXEC_STDIN") else []
    code = subprocess.call(["docker", "exec", *flags, container.id, *argv])
    if code != 0:
        raise AzLocalError(f"The command exited with status {code}.") if code not in (126, 127) else AzLocalError(
            f"The command '{argv[0]}' could not be run in container '{container.labels.get('azlocal.aci.container')}'.")


def attach(resource_group, name, container_name=None):
    """Streams a container's output and the group's state changes until the group stops."""
    import sys

    doc = _stored(resource_group, name)
    container = _one_container(doc, container_name)
    print(f"Container '{container.labels.get('azlocal.aci.container')}' is in state "
          f"'{with_instance_view(doc)['instanceView']['state']}'...", file=sys.stderr)
    for chunk in container.logs(stream=True, follow=True):
        sys.stdout.write(chunk.decode(errors="replace"))
        sys.stdout.flush()
    print(f"Container group '{doc['name']}' is now in state "
          f"'{with_instance_view(doc)['instanceView']['state']}'.", file=sys.stderr)


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
