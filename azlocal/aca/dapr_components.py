"""Dapr components of managed environments (`containerapp env dapr-component set/list/show/remove`).

A component is a child row of its environment (Microsoft.App/managedEnvironments/daprComponents)
read from az's component YAML (componentType, version, ignoreErrors, initTimeout, secrets,
secretStoreComponent, metadata, scopes) and shown as Azure shows it: the secrets by name only, their
values in the secret store. The sidecars (azlocal.aca.dapr) load them through azlocal.aca.dapr.components;
a component type azlocal has no backend for is refused at `set`, naming the types it backs, and nothing is
stored.
"""

import re

from knack.log import get_logger

from azlocal.core import yamlsafe
from azlocal.core.errors import AzLocalError, ValidationError
from azlocal.core.lookups import not_found
from azlocal.platform import secrets
from azlocal.platform.store import group_of, store

logger = get_logger(__name__)

COMPONENT_TYPE = "Microsoft.App/managedEnvironments/daprComponents"
# The component types the sidecars back offline (state, pub/sub and secret store backends of azlocal.aca.dapr).
BACKED = ("state.in-memory", "state.sqlite", "state.redis", "state.azure.blobstorage",
          "pubsub.in-memory", "pubsub.redis",
          "secretstores.azure.keyvault", "secretstores.kubernetes", "secretstores.local.env")
UNBACKED = ("(DaprComponentTypeNotSupported) The Dapr component type '{type}' has no backend in azlocal, so no sidecar "
            "could load it offline; nothing was stored. azlocal backs: {backed}.")
INVALID = ("Invalid YAML provided. Please see https://learn.microsoft.com/en-us/azure/container-apps/dapr-overview?"
           "tabs=bicep1%2Cyaml#component-schema for a valid Dapr Component YAML spec.")
_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]{0,58}[a-z0-9])?$")
_FIELDS = {"componenttype": "componentType", "component_type": "componentType", "version": "version",
           "ignoreerrors": "ignoreErrors", "ignore_errors": "ignoreErrors", "inittimeout": "initTimeout",
           "init_timeout": "initTimeout", "secrets": "secrets", "metadata": "metadata", "scopes": "scopes",
           "secretstorecomponent": "secretStoreComponent", "secret_store_component": "secretStoreComponent"}


def component_id(env_doc, name):
    return f"{env_doc['id']}/daprComponents/{name}"


def secret_key(rid, name):
    return f"{secrets.resource_prefix('aca', rid)}secrets/{name.lower()}"


def _env(resource_group, env_name):
    from azlocal.aca import environments

    return environments.get(resource_group, env_name)


def parse(text, path=None):
    """The component YAML -> (properties as Azure shows them, {secret name: value})."""
    try:
        raw = yamlsafe.load(text, "The Dapr component YAML")
    except ValidationError as ex:  # as az words a file it cannot parse
        detail = str(ex).split(" is not valid: ", 1)
        if path is None or len(detail) != 2:
            raise
        raise ValidationError(f"Error parsing {path} ({detail[1]})") from None
    if not isinstance(raw, dict):
        raise ValidationError(INVALID)
    raw = raw.get("properties") if isinstance(raw.get("properties"), dict) else raw
    props = {"componentType": None, "ignoreErrors": False, "initTimeout": None, "metadata": None, "scopes": None,
             "secretStoreComponent": None, "secrets": None, "version": None}
    for key, value in raw.items():
        field = _FIELDS.get(str(key).lower())
        if field:
            props[field] = value
    if not isinstance(props["componentType"], str) or not props["componentType"]:
        raise ValidationError(f"{INVALID} (componentType is required)")
    if not isinstance(props["version"], str) or not props["version"]:
        raise ValidationError(f"{INVALID} (version is required)")
    values = {}
    for s in props["secrets"] or []:
        if not isinstance(s, dict) or not s.get("name"):
            raise ValidationError(f"{INVALID} (each secret needs a name)")
        values[str(s["name"])] = "" if s.get("value") is None else str(s["value"])
    props["secrets"] = [{"name": str(s["name"])} for s in props["secrets"] or []] or None
    metadata = []
    for m in props["metadata"] or []:
        if not isinstance(m, dict) or not m.get("name"):
            raise ValidationError(f"{INVALID} (each metadata entry needs a name)")
        entry = {"name": str(m["name"])}
        if m.get("secretRef") or m.get("secret_ref"):
            ref = str(m.get("secretRef") or m.get("secret_ref"))
            if ref not in values and not props["secretStoreComponent"]:
                raise AzLocalError(f"(DaprComponentSecretNotFound) Metadata '{entry['name']}' references secret "
                                   f"'{ref}', which the component does not define.")
            entry["secretRef"] = ref
        else:
            entry["value"] = "" if m.get("value") is None else str(m["value"])
        metadata.append(entry)
    props["metadata"] = metadata or None
    if props["scopes"] is not None and (not isinstance(props["scopes"], list) or
                                        not all(isinstance(x, str) for x in props["scopes"])):
        raise ValidationError(f"{INVALID} (scopes must be a list of app ids)")
    ctype = props["componentType"].strip().lower()
    if ctype not in BACKED:
        raise ValidationError(UNBACKED.format(type=props["componentType"], backed=", ".join(BACKED)))
    return props, values


_secret_key = secret_key  # the name older tests use


def set_component(resource_group, env_name, name, yaml_path):
    if not _NAME.match(name or ""):
        raise ValidationError(f"(DaprComponentInvalidName) Invalid Dapr component name '{name}'. A name must consist "
                              "of lower case alphanumeric characters or '-', start and end with an alphanumeric "
                              "character, and be at most 60 characters.")
    env_doc = _env(resource_group, env_name)
    try:
        with open(yaml_path, encoding="utf-8") as f:
            text = f.read().replace("\x00", "")
    except FileNotFoundError as ex:
        raise ValidationError(f"{yaml_path} does not exist") from ex
    except UnicodeDecodeError as ex:
        raise ValidationError(f"Error parsing {yaml_path} ({ex})") from ex
    except OSError as ex:
        raise ValidationError(f"The file '{yaml_path}' could not be read: {ex.strerror}.") from ex
    props, values = parse(text, yaml_path)
    rid = component_id(env_doc, name)
    old = store().get(rid)
    doc = {"id": rid, "name": name, "properties": props, "systemData": None, "type": COMPONENT_TYPE}
    for s in (old or {}).get("properties", {}).get("secrets") or []:
        if s["name"] not in values:
            secrets.delete_secret(secret_key(rid, s["name"]))
    for key, value in values.items():
        secrets.set_secret(secret_key(rid, key), value)
    s = store()
    with s.transaction():
        s.put(doc, resource_group=group_of(env_doc["id"]))
    return doc


def _require(env_doc, name):
    doc = store().get(component_id(env_doc, name))
    if doc is None:
        raise not_found(COMPONENT_TYPE, f"{env_doc['name']}/{name}", group_of(env_doc["id"]))
    return doc


def get(resource_group, env_name, name):
    return _require(_env(resource_group, env_name), name)


def list_components(resource_group, env_name):
    env_doc = _env(resource_group, env_name)
    return [d for d in store().list(parent_id=env_doc["id"]) if d["type"].lower() == COMPONENT_TYPE.lower()]


class _NotFound(AzLocalError):
    exit_code = 3


def remove(resource_group, env_name, name):
    env_doc = _env(resource_group, env_name)
    doc = store().get(component_id(env_doc, name))
    if doc is None:
        raise _NotFound("Dapr component not found.")
    cleanup_component(doc)
    s = store()
    with s.transaction():
        s.delete(doc["id"])
    logger.warning("Dapr componenet successfully deleted.")


def cleanup_component(doc):
    """What deleting `doc`'s group removes outside the store (see azlocal.platform.cleanup): its secrets."""
    secrets.delete_prefix(f"{secrets.resource_prefix('aca', doc['id'])}secrets/")
