"""The Dapr components a sidecar sees: the environment's stored components (azlocal.aca.dapr_components) as
Dapr loads them for one app id.

- **Scopes**, as Dapr applies them: a component without `scopes` (or with an empty list) is loaded by every
  app of the environment; one with scopes only by the app ids listed (exact, case-sensitive match, as Dapr's
  `scopes` are Kubernetes-style app ids). A component not loaded for an app does not exist for it
  (`get` raises ComponentNotFound, which the APIs turn into Dapr's ERR_*_NOT_FOUND).
- **Metadata** is a flat `{name: value}` with every `secretRef` resolved: from the component's own `secrets`
  (their values live in the secret store), or, when the component names a `secretStoreComponent`, from that
  secret store component of the same environment: a `secret_lookup(store_component, key) -> str` the caller
  passes, else that store read as the secrets building block reads it (secretstore: `azure.keyvault` as the
  app's managed identity, `azureClientId` selecting a user-assigned one, so the vault's authorization
  decides; `kubernetes`, the app's own secrets; `local.env`).
- **Family**: the first segment of `componentType` ("state", "pubsub", "secretstores", "bindings", …).
"""

import dataclasses

from azlocal.platform import secrets
from azlocal.platform.store import store

FAMILIES = ("state", "pubsub", "secretstores", "bindings", "configuration", "lock", "middleware", "workflow")


class ComponentNotFound(LookupError):
    """No component `name` of `family` is loaded for the app (absent, of another family, or scoped away)."""

    def __init__(self, name, family=None):
        super().__init__(f"{family or 'component'} {name} is not found")
        self.name, self.family = name, family


class ComponentError(Exception):
    """A component whose metadata cannot be resolved (a secret it references is missing or unreadable)."""


@dataclasses.dataclass
class Component:
    name: str
    type: str
    version: str
    metadata: dict
    scopes: list
    ignore_errors: bool = False
    secret_store: str = None

    @property
    def family(self):
        return family_of(self.type)

    @property
    def kind(self):
        """The type without its family: "redis" for "state.redis", "azure.keyvault" for a Key Vault store."""
        return self.type.split(".", 1)[1] if "." in self.type else ""


def family_of(component_type):
    return str(component_type or "").split(".", 1)[0].lower()


def in_scope(scopes, app_id):
    """Dapr's scoping: no scopes means every app; otherwise only the app ids listed."""
    return not scopes or app_id in scopes


def _stored(env_doc):
    from azlocal.aca import dapr_components

    prefix = f"{env_doc['id']}/daprComponents/".lower()
    return [d for d in store().list(parent_id=env_doc["id"])
            if d["type"].lower() == dapr_components.COMPONENT_TYPE.lower() and d["id"].lower().startswith(prefix)]


def _own_secret(doc, ref):
    from azlocal.aca import dapr_components

    names = [s["name"] for s in doc["properties"].get("secrets") or []]
    if ref not in names:
        raise ComponentError(f"secret {ref} not found in component {doc['name']}")
    value = secrets.get_secret(dapr_components.secret_key(doc["id"], ref))
    return "" if value is None else value


def _build(doc, env_doc, app_id, secret_lookup, raw_by_name):
    props = doc["properties"]
    store_name = props.get("secretStoreComponent")
    metadata = {}
    for entry in props.get("metadata") or []:
        ref = entry.get("secretRef")
        if ref is None:
            metadata[entry["name"]] = entry.get("value") or ""
        elif store_name:
            metadata[entry["name"]] = _from_store(env_doc, app_id, store_name, ref, secret_lookup, raw_by_name, doc)
        else:
            metadata[entry["name"]] = _own_secret(doc, ref)
    return Component(name=doc["name"], type=props.get("componentType") or "", version=props.get("version") or "",
                     metadata=metadata, scopes=list(props.get("scopes") or []),
                     ignore_errors=bool(props.get("ignoreErrors")), secret_store=store_name)


def _from_store(env_doc, app_id, store_name, key, secret_lookup, raw_by_name, doc):
    store_doc = raw_by_name.get(store_name)
    if store_doc is None or family_of(store_doc["properties"].get("componentType")) != "secretstores" or \
            not in_scope(store_doc["properties"].get("scopes"), app_id):
        raise ComponentError(f"component {doc['name']}: secret store {store_name} is not found")
    if store_doc["properties"].get("secretStoreComponent"):
        raise ComponentError(f"component {doc['name']}: secret store {store_name} cannot itself use a secret store")
    store_comp = _build(store_doc, env_doc, app_id, None, raw_by_name)
    if secret_lookup is not None:
        return secret_lookup(store_comp, key)
    return store_secret(env_doc, app_id, store_comp, key)


def app_doc(env_doc, app_id):
    """The Dapr-enabled container app of the environment whose Dapr app id (`dapr.appId`, else its name) is
    `app_id` (None if none)."""
    from azlocal.aca import appstore

    for app in appstore.list_apps(environment=env_doc["id"]):
        dapr = (app["properties"].get("configuration") or {}).get("dapr") or {}
        if dapr.get("enabled") and (dapr.get("appId") or app["name"]) == app_id:
            return app
    return None


def store_secret(env_doc, app_id, store_comp, key):
    """A secret of the secret store component `store_comp`, read for the app `app_id` as the secrets building
    block reads it (secretstore: Key Vault as the app's identity, the app's own secrets, its variables)."""
    import types

    from azlocal.aca.dapr import secretstore

    app = app_doc(env_doc, app_id) or {"properties": {}}
    try:
        return secretstore._read_one(types.SimpleNamespace(app=app), store_comp, key, {})[key]
    except KeyError as ex:
        raise ComponentError(f"secret store {store_comp.name}: secret {key} not found") from ex
    except Exception as ex:  # the vault's refusal (forbidden, not found), no identity, a type it cannot read
        raise ComponentError(f"secret store {store_comp.name}: {getattr(ex, 'message', None) or ex}") from ex


def for_app(env_doc, app_id, secret_lookup=None):
    """The components loaded by app `app_id` of the environment, metadata resolved. A component whose secrets
    cannot be resolved is left out (as Dapr skips a component that fails to init with ignoreErrors) unless it
    is the one asked for through `get`."""
    raw = _stored(env_doc)
    by_name = {d["name"]: d for d in raw}
    out = []
    for doc in sorted(raw, key=lambda d: d["name"]):
        if not in_scope(doc["properties"].get("scopes"), app_id):
            continue
        try:
            out.append(_build(doc, env_doc, app_id, secret_lookup, by_name))
        except ComponentError:
            continue
    return out


def get(env_doc, app_id, name, family=None, secret_lookup=None):
    """The component `name` (of `family`, when given) loaded for `app_id`; ComponentNotFound if there is none;
    ComponentError if its secrets cannot be resolved."""
    raw = _stored(env_doc)
    by_name = {d["name"]: d for d in raw}
    doc = by_name.get(name)
    if doc is None or not in_scope(doc["properties"].get("scopes"), app_id) or \
            (family and family_of(doc["properties"].get("componentType")) != family.lower()):
        raise ComponentNotFound(name, family)
    return _build(doc, env_doc, app_id, secret_lookup, by_name)

