"""A container group's definition: from `az container create` flags or ACI's YAML, validated once.

The result is the group as ACI's YAML defines it (`{name, location, tags, properties}` with ARM's
camelCase keys); nothing here touches Docker or the store.
"""

import re

from azlocal.core import arm, safepath
from azlocal.core.errors import AzLocalError, ValidationError
from azlocal.core.parsing import pairs_dict

RESTART = {"Always": "always", "OnFailure": "on-failure", "Never": "no"}
# Group names keep their case (Microsoft's tutorials name groups `myContainerGroup`; ARM ids are
# case-insensitive, so `show -n MYCONTAINERGROUP` finds it); a container's name is a DNS label, lower case.
_GROUP_NAME = re.compile(r"^[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$")
_CONTAINER_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
MAX_CPU, MAX_MEMORY = 4.0, 16.0


# Validation and the definition -------------------------------------------------------------------

_DNS_LABEL = re.compile(r"^[a-z][a-z0-9-]{3,61}[a-z0-9]$")


def check_dns_label(label, group):
    """Azure's rule and message for a DNS name label (lower case, 5-63 characters, a letter first)."""
    if not isinstance(label, str) or not _DNS_LABEL.match(label):
        raise ValidationError(f"(InvalidDnsNameLabel) The DNS name label '{label}' in container group '{group}' is "
                              "invalid. It can contain only lowercase letters, numbers and hyphens. The first "
                              "character must be a letter. The last character must be a letter or number. The value "
                              "must be between 5 and 63 characters long.")


def check_group_name(name, what="container group"):
    if not isinstance(name, str) or not _GROUP_NAME.match(name) or "--" in name:
        raise ValidationError(f"(InvalidResourceName) The {what} name '{name}' is invalid. It must be 1-63 letters, "
                              "digits or '-', and must not start or end with '-' or contain '--'.")


def check_container_name(name, group):
    """Azure's rule and message for the name of a container (or init container) in a group."""
    if not isinstance(name, str) or len(name) > 63 or not _CONTAINER_NAME.match(name):
        raise ValidationError(f"(InvalidContainerName) The container name '{name}' in container group '{group}' is "
                              "invalid. The container name must contain no more than 63 characters and must match "
                              "the regex '[a-z0-9]([-a-z0-9]*[a-z0-9])?' (e.g. 'my-name').")


def _parse_pairs(items, what):
    return pairs_dict(items, error=lambda item: f"usage error: {what} must be in 'key=value' format, got '{item}'",
                      strip_quotes=True)


_ARG_NAMES = ("name", "image", "cpu", "memory", "ports", "protocol", "ip_address", "dns_name_label", "restart_policy",
              "environment_variables", "secure_environment_variables", "command_line", "os_type",
              "registry_login_server", "registry_username", "registry_password", "secrets_", "secrets_mount_path",
              "azure_file", "location")


def definition_from_args(*args, **kwargs):
    """`from_args`, also taking its arguments by position (in the order of _ARG_NAMES)."""
    kwargs.update(zip(_ARG_NAMES, args))
    return from_args(**kwargs)


def from_args(name, image, *, cpu=1.0, memory=1.5, ports=(80,), protocol=None, ip_address=None,
              dns_name_label=None, restart_policy=None, environment_variables=None, secure_environment_variables=None,
              command_line=None, os_type=None, registry_login_server=None, registry_username=None,
              registry_password=None, secrets_=None, secrets_mount_path=None, azure_file=None, location=None):
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
        # az's own checks and messages (its validators and custom.py)
        if any("=" not in item for item in secrets_):
            raise ValidationError("Secrets need to be specifed in key=value format.")
        if not secrets_mount_path:
            raise ValidationError("Please specify --secrets --secrets-mount-path to enable secrets volume mount.")
        import base64

        files = {k: base64.b64encode(v.encode()).decode() for k, v in _parse_pairs(secrets_, "secrets").items()}
        volumes.append({"name": "secrets", "secret": files})
        container["properties"]["volumeMounts"].append({"name": "secrets", "mountPath": secrets_mount_path,
                                                        "readOnly": True})
    azure_file = azure_file or {}
    if azure_file.get("mountPath") and ":" in azure_file["mountPath"]:
        raise ValidationError("The volume mount path cannot contain ':'")
    if azure_file.get("shareName"):
        if not azure_file.get("accountName"):
            raise ValidationError("Please specify --azure-file-volume-account-name in order to use Azure File volume.")
        if not azure_file.get("accountKey"):
            raise ValidationError("Please specify --azure-file-volume-account-key in order to use Azure File volume.")
        volumes.append({"name": "azurefile", "azureFile": {
            "shareName": azure_file["shareName"], "storageAccountName": azure_file.get("accountName"),
            "storageAccountKey": azure_file.get("accountKey")}})
        if azure_file.get("mountPath"):  # as az: a share without a mount path is a volume nothing mounts
            container["properties"]["volumeMounts"].append({"name": "azurefile",
                                                            "mountPath": azure_file["mountPath"]})
    elif azure_file.get("mountPath"):
        raise ValidationError("Please specify --azure-file-volume-share-name --azure-file-volume-account-name "
                              "--azure-file-volume-account-key to enable Azure File volume mount.")
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


def definition_from_yaml(text):
    from azlocal.aci import yamldef

    return yamldef.definition_from_yaml(text)


def validate(definition):
    """Azure's checks, all before anything is created."""
    name = definition.get("name")
    check_group_name(name)
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
        check_container_name(c["name"], name)
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
            check_dns_label(ip["dnsNameLabel"], name)
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
            repo = v["gitRepo"]
            if not isinstance(repo.get("repository"), str) or not repo["repository"] or \
                    repo["repository"].startswith("-"):
                raise ValidationError(f"The git repo volume '{v['name']}' needs a 'repository' URL.")
            if ".." in str(repo.get("directory") or ""):
                raise ValidationError("The git repo directory cannot contain '..'")
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


def check_update(old, definition, location, resource_group):
    """Azure's rules for `create` on an existing group (an ARM PUT that redeploys it): the location
    stays, and the OS type, restart policy, network profile (never set here: no VNets) and each
    container's CPU/memory/GPU need a delete and a new create."""
    name = definition["name"]
    if old["location"] != location:
        raise AzLocalError(f"(InvalidResourceLocation) The resource '{name}' already exists in location "
                           f"'{old['location']}' in resource group '{resource_group}'. A resource with the same name "
                           f"cannot be created in location '{location}'. Please select a new resource name.")
    props = definition["properties"]
    changed = old["osType"] != props["osType"] or old["restartPolicy"] != props["restartPolicy"]
    before = {c["name"]: c["resources"]["requests"] for c in old["containers"]}
    for c in props["containers"]:
        req = c["properties"]["resources"]["requests"]
        was = before.get(c["name"])
        if was and (was["cpu"] != req["cpu"] or was["memoryInGb"] != req["memoryInGB"]):
            changed = True
    if changed:
        raise AzLocalError(f"(InvalidContainerGroupUpdate) The updates on container group '{name}' are invalid. If "
                           "you are going to update the os type, restart policy, network profile, CPU, memory or GPU "
                           "resources for a container group, you must delete it first and then create a new one.")
