"""A container app's definition: from `az containerapp create` flags or from a YAML, validated once.

`AppDefinition` holds what a create needs besides the group and the name: the template (containers,
scale, volumes), the secrets' values, the revisions mode, ingress, a registry, identities, Dapr,
tags and the workload profile. Nothing here touches Docker or the store; `validation` holds the
template checks shared with `update`.
"""

import random
import string
from dataclasses import dataclass, field

from knack.log import get_logger

from azlocal.aca import containerapps_options as options
from azlocal.aca import keyvault_refs
from azlocal.aca.validation import check_suffix, check_template, memory
from azlocal.core import safepath, yamlsafe
from azlocal.core.errors import ValidationError
from azlocal.core.parsing import pairs

DEFAULT_IMAGE = "mcr.microsoft.com/k8se/quickstart:latest"
logger = get_logger(__name__)
_ENV_FORMAT = 'Environment variables must be in the format "<key>=<value> <key>=secretref:<value> ...".'
_SECRET_FORMAT = ('Secrets must be in format "<key>=<value> <key>=<value> ..." or "<key>=keyvaultref:'
                  '<keyvaulturl>,identityref:<identity> ...".')


@dataclass
class AppDefinition:
    """What `create` makes: `ingress` is {kind, target_port, transport, allow_insecure, exposed_port}
    or None; `registry` is {server, username, password, identity} or None."""
    template: dict
    environment: str = None
    secrets: dict = field(default_factory=dict)
    revisions_mode: str = "single"
    ingress: dict = None
    registry: dict = None
    system_assigned: bool = False
    user_assigned: list = None
    dapr: dict = None
    tags: dict = None
    workload_profile_name: str = None


# Parsing ---------------------------------------------------------------------------------------

def parse_env_vars(items):
    """`KEY=value KEY=secretref:name` -> the container's `env` entries."""
    return [{"name": key, "secretRef": value[len("secretref:"):]} if value.startswith("secretref:")
            else {"name": key, "value": value} for key, value in pairs(items, error=_ENV_FORMAT)]


def parse_secrets(items):
    """`name=value ...` -> {name: value}, names checked as Azure checks them."""
    from azlocal.aca.validation import check_secret_name

    out = {}
    for key, value in pairs(items, error=_SECRET_FORMAT):
        if key.lower() in (k.lower() for k in out):
            raise ValidationError(f"Duplicate secret \"{key}\" found, secret names must be unique.")
        check_secret_name(key)
        out[key] = keyvault_refs.parse_value(value)
    return out


def mount_secret_volume(template, container, path):
    """All the app's secrets as files under `path` in the container (one Secret volume per template)."""
    volumes = template.get("volumes") or []
    volume = next((v for v in volumes if (v.get("storageType") or "").lower() == "secret"), None)
    if volume is None:
        volume = {"name": "secret-volume-" + "".join(random.choices(string.ascii_lowercase, k=4)),
                  "storageType": "Secret"}
        volumes.append(volume)
    template["volumes"] = volumes
    mounts = [m for m in container.get("volumeMounts") or [] if m["volumeName"] != volume["name"]]
    container["volumeMounts"] = mounts + [{"mountPath": path, "volumeName": volume["name"]}]


# From arguments --------------------------------------------------------------------------------

def _check_flags(ingress, target_port, transport, allow_insecure, exposed_port):
    if target_port is not None and not ingress:
        raise ValidationError("Usage error: must specify --ingress with --target-port")
    if allow_insecure and not ingress:
        raise ValidationError("Usage error: must specify --ingress with --allow-insecure")
    if allow_insecure and (transport or "").lower() == "tcp":
        raise ValidationError("Usage error: --allow-insecure is not supported for TCP ingress")
    if exposed_port is not None and (transport or "auto").lower() != "tcp":
        raise ValidationError("Usage error: --exposed-port is only supported with --transport tcp")


def _template(name, container_args, scale, termination_grace_period, revision_suffix, secret_volume_mount):
    c = container_args
    container = {
        "image": c.get("image") or DEFAULT_IMAGE,
        "name": c.get("container_name") or name,
        "resources": {"cpu": float(c["cpu"]) if c.get("cpu") is not None else 0.5, "ephemeralStorage": "2Gi",
                      "memory": memory(c.get("memory")) or "1Gi"},
    }
    env = parse_env_vars(c.get("env_vars"))
    if env:
        container["env"] = env
    for key in ("command", "args"):
        if c.get(key):
            container[key] = c[key]
    template = {
        "containers": [container], "initContainers": None, "revisionSuffix": revision_suffix or "",
        "scale": {"cooldownPeriod": 300, "maxReplicas": scale.get("max_replicas") or 10,
                  "minReplicas": scale.get("min_replicas"), "pollingInterval": 30, "rules": scale.get("rules")},
        "serviceBinds": None, "terminationGracePeriodSeconds": termination_grace_period, "volumes": None,
    }
    if secret_volume_mount:
        mount_secret_volume(template, container, secret_volume_mount)
    return template


def from_args(name, *, environment=None, container=None, scale=None, secrets=None, revisions_mode=None,
              ingress=None, registry=None, revision_suffix=None, termination_grace_period=None,
              secret_volume_mount=None, **settings):
    """The definition from create's flags. `container`: {image, container_name, cpu, memory, env_vars,
    command, args}; `scale`: {min_replicas, max_replicas, rules}; `ingress`: {kind, target_port,
    transport, allow_insecure, exposed_port}; `registry`: {server, username, password, identity};
    `settings`: system_assigned, user_assigned, dapr, tags, workload_profile_name."""
    ingress = dict(ingress or {})
    _check_flags(ingress.get("kind"), ingress.get("target_port"), ingress.get("transport"),
                 ingress.get("allow_insecure"), ingress.get("exposed_port"))
    check_suffix(revision_suffix)
    options.check_grace_period(termination_grace_period)
    registry = {k: v for k, v in (registry or {}).items() if v}
    options.check_registry_identity(registry.get("identity"), registry.get("server"), registry.get("username"),
                                    registry.get("password"))
    parsed_secrets = parse_secrets(secrets)
    template = _template(name, container or {}, scale or {}, termination_grace_period, revision_suffix,
                         secret_volume_mount)
    return AppDefinition(template=template, environment=environment, secrets=parsed_secrets,
                         revisions_mode=revisions_mode or "single",
                         ingress=ingress if ingress.get("kind") else None,
                         registry=registry if registry.get("server") else None, **settings)


# From YAML -------------------------------------------------------------------------------------

def _yaml_containers(template):
    for c in template["containers"] + list(template.get("initContainers") or []):
        if not isinstance(c, dict) or not c.get("image") or not c.get("name"):
            raise ValidationError("Each container in the YAML needs a name and an image.")
    containers = []
    for c in template["containers"]:
        resources = c.get("resources") or {}
        if not isinstance(resources, dict):
            raise ValidationError(f"Invalid YAML provided: resources of container '{c['name']}' must be a mapping.")
        try:
            cpu = float(resources.get("cpu", 0.5))
        except (TypeError, ValueError):
            raise ValidationError(f"Invalid YAML provided: the cpu of container '{c['name']}' must be a number, got "
                                  f"'{resources.get('cpu')}'.") from None
        containers.append(dict(c, resources={"cpu": cpu, "ephemeralStorage": "2Gi",
                                             "memory": memory(resources.get("memory", "1Gi"))}))
    return containers


def _yaml_template(props):
    template = props.get("template") if isinstance(props, dict) else None
    if not isinstance(template, dict) or not isinstance(template.get("containers"), list) or \
            not template["containers"]:
        raise ValidationError("The YAML must define template.containers.")
    containers = _yaml_containers(template)
    volumes = _yaml_volumes(template.get("volumes"))
    scale = template.get("scale") or {}
    if not isinstance(scale, dict):
        raise ValidationError("Invalid YAML provided: template.scale must be a mapping.")
    return {
        "containers": containers, "initContainers": template.get("initContainers") or None,
        "revisionSuffix": template.get("revisionSuffix") or "",
        "scale": {"cooldownPeriod": 300,
                  "maxReplicas": 10 if scale.get("maxReplicas") is None else scale["maxReplicas"],
                  "minReplicas": scale.get("minReplicas"), "pollingInterval": 30, "rules": scale.get("rules")},
        "serviceBinds": None, "terminationGracePeriodSeconds": None, "volumes": volumes,
    }


_STORAGE_TYPES = {"azurefile": "AzureFile", "emptydir": "EmptyDir", "secret": "Secret", "nfsazurefile": "NfsAzureFile"}


def _yaml_volumes(volumes):
    """A template's volumes as the service keeps them: storageType in its canonical case (EmptyDir by
    default); an AzureFile volume names an environment storage (storageName)."""
    if volumes is None:
        return None
    if not isinstance(volumes, list):
        raise ValidationError("Invalid YAML provided: template.volumes must be a list.")
    out = []
    for v in volumes:
        if not isinstance(v, dict):
            raise ValidationError("Invalid YAML provided: each volume must be a mapping.")
        safepath.check_name("volume", v.get("name"))
        kind = _STORAGE_TYPES.get(str(v.get("storageType") or "EmptyDir").lower())
        if kind is None:
            raise ValidationError(f"Invalid YAML provided: the storageType of volume '{v['name']}' must be one of "
                                  f"{', '.join(_STORAGE_TYPES.values())}.")
        if kind in ("AzureFile", "NfsAzureFile") and not v.get("storageName"):
            raise ValidationError(f"Invalid YAML provided: the {kind} volume '{v['name']}' needs a storageName (an "
                                  "environment storage: az containerapp env storage set).")
        out.append(dict(v, storageType=kind))
    return out


def yaml_document(text):
    """A container app's YAML (as `az containerapp show -o yaml` prints it, or Learn's samples) -> its
    template (sidecars, init containers, scale, volumes), its configuration and its environment."""
    doc = yamlsafe.load(text)
    if not isinstance(doc, dict):
        raise ValidationError("Invalid YAML provided: a mapping is expected.")
    props = doc.get("properties") or doc
    template = _yaml_template(props)
    configuration = props.get("configuration") or {}
    return {
        "environment": props.get("environmentId") or props.get("managedEnvironmentId"),
        "workload_profile_name": props.get("workloadProfileName"),
        "template": template,
        "secrets": [keyvault_refs.yaml_item(x) for x in configuration.get("secrets") or []],
        "configuration": configuration,
    }


def from_yaml(text, *, environment=None, tags=None):
    """The definition of `create --yaml`: the YAML's template and configuration; `environment` (the
    flag) wins over the YAML's environmentId. Once the YAML is read, az's warning that the other
    flags are ignored is given (always, as az does)."""
    doc = yaml_document(text)
    logger.warning("Additional flags were passed along with --yaml. These flags will be ignored, and the "
                   "configuration defined in the yaml will be used instead")
    configuration = doc["configuration"]
    return AppDefinition(
        template=doc["template"], environment=environment or doc["environment"],
        secrets=parse_secrets(doc["secrets"]),
        revisions_mode=str(configuration.get("activeRevisionsMode", "single")).lower(),
        ingress=_yaml_ingress(configuration.get("ingress") or {}),
        tags=tags, workload_profile_name=doc["workload_profile_name"])


# The YAML's ingress settings the gateway enforces, kept as given (IP rules checked as Azure checks them).
YAML_INGRESS_POLICIES = ("ipSecurityRestrictions", "corsPolicy", "stickySessions", "clientCertificateMode")


def _yaml_ingress(ingress):
    from azlocal.aca.ingress_policies import check_rules

    if not ingress:
        return None
    out = {"kind": "external" if ingress.get("external", True) else "internal",
           "target_port": ingress.get("targetPort"), "transport": str(ingress.get("transport", "auto")).lower(),
           "allow_insecure": bool(ingress.get("allowInsecure", False)),
           "exposed_port": ingress.get("exposedPort") or None,
           "policies": {k: ingress[k] for k in YAML_INGRESS_POLICIES if ingress.get(k) is not None}}
    _check_flags(out["kind"], out["target_port"], out["transport"], out["allow_insecure"], out["exposed_port"])
    check_rules(out["policies"].get("ipSecurityRestrictions"))
    return out


def template_from_yaml(text):
    """`update --yaml`: the YAML's template, checked as Azure checks a template, and its secrets (None
    when the YAML has none)."""
    doc = yaml_document(text)
    check_template(doc["template"])
    return doc["template"], (parse_secrets(doc["secrets"]) if doc["secrets"] else None)
