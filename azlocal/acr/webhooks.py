"""ACR webhooks: ARM resources under a registry, and the push/delete notifications they send.

The service URI and custom headers may carry credentials, so (as Azure does, showing them only
through `get-config`) they live in the secret store, not in the webhook's document.
"""

import json
import uuid

from azlocal.acr import registries
from azlocal.core import arm
from azlocal.core.errors import AzLocalError
from azlocal.core.lookups import not_found
from azlocal.platform import secrets
from azlocal.platform.store import store

WEBHOOK_TYPE = "Microsoft.ContainerRegistry/registries/webhooks"
MAX_EVENTS = 100


def _id(registry_doc, name):
    return f"{registry_doc['id']}/webhooks/{name}"


def _secret_key(registry_name, name):
    return f"acr/{registry_name.lower()}/webhooks/{name.lower()}"


def get(registry, name, resource_group=None):
    doc = registries.get(registry, resource_group)
    return store().require(_id(doc, name), not_found(f"{WEBHOOK_TYPE}/{doc['name']}", name,
                                                     registries.group_of_doc(doc), pointer=False))


def create(registry, name, uri, actions, resource_group=None, *, headers=None, scope=None, status="enabled",
           location=None, tags=None):
    doc = registries.get(registry, resource_group)
    if not name.isalnum() or not name.isascii() or not 5 <= len(name) <= 50:
        raise AzLocalError("Webhook names must be between 5 and 50 alphanumeric characters.")
    _check_uri(uri)
    s = store()
    with s.transaction():
        existing = s.list(type=WEBHOOK_TYPE, parent_id=doc["id"])
        limit = registries.SKU_LIMITS[doc["sku"]["name"]][1]
        if len(existing) >= limit and not any(h["name"] == name for h in existing):
            raise AzLocalError(f"(QuotaExceeded) The registry '{doc['name']}' has reached its limit of {limit} "
                               f"webhooks for the {doc['sku']['name']} SKU.")
        hook = {
            "actions": list(actions),
            "id": _id(doc, name),
            "location": location or doc["location"],
            "name": name,
            "provisioningState": "Succeeded",
            "scope": scope or "",
            "status": status,
            "systemData": doc.get("systemData"),
            "tags": tags or {},
            "type": WEBHOOK_TYPE,
        }
        s.put(hook)
        secrets.set_secret(_secret_key(doc["name"], name), json.dumps({"serviceUri": uri,
                                                                        "customHeaders": headers or {}}))
    return hook


def _check_uri(uri):
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(uri)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
        valid = parts.scheme.lower() in ("http", "https") and bool(parts.hostname)
    except ValueError:  # e.g. an unclosed IPv6 bracket, or a port that is not a number
        valid = False
    if not valid:
        raise AzLocalError(f"The service URI '{uri}' is not a valid http(s) URI.")


ACTIONS = ("chart_delete", "chart_push", "delete", "push", "quarantine")
_READ_ONLY = ("id", "name", "type", "location", "provisioningState", "systemData")


def update(registry, name, resource_group=None, *, uri=None, actions=None, headers=None, scope=None, status=None,
           tags=None, set_=None, add=None, remove=None, force_string=False):
    """ARM's PATCH: the named arguments, then --set/--add/--remove on the webhook's properties."""
    from azlocal.core import generic_update

    hook = get(registry, name, resource_group)
    if uri is not None:
        _check_uri(uri)
    doc = registries.get(registry, resource_group)
    for key, value in (("actions", actions), ("scope", scope), ("status", status), ("tags", tags)):
        if value is not None:
            hook[key] = value
    if set_ or add or remove:
        hook = generic_update.updated_copy(hook, set_, add, remove, force_string, read_only=_READ_ONLY)
        _validate(hook)
    s = store()
    with s.transaction():
        s.put(hook)
        if uri is not None or headers is not None:
            config = get_config(registry, name, resource_group)
            config["serviceUri"] = uri or config["serviceUri"]
            config["customHeaders"] = headers if headers is not None else config["customHeaders"]
            secrets.set_secret(_secret_key(doc["name"], name), json.dumps(config))
    return hook


def _validate(hook):
    """Azure's checks of the properties a generic update may have changed."""
    from azlocal.core import generic_update

    generic_update.check_choice(hook, "status", ("enabled", "disabled"), lower=True)
    hook["status"] = hook["status"].lower()
    generic_update.check_string(hook, "scope", nullable=False)
    generic_update.check_tags(hook)
    actions = hook.get("actions")
    if not isinstance(actions, list) or not actions or any(a not in ACTIONS for a in actions):
        raise generic_update.invalid_content(f"actions must be a non-empty list of: {', '.join(ACTIONS)}.",
                                             "actions")


def delete(registry, name, resource_group=None):
    hook = get(registry, name, resource_group)
    doc = registries.get(registry, resource_group)
    s = store()
    with s.transaction():
        s.delete(hook["id"])
        s.delete_value(f"webhook-events/{hook['id'].lower()}")
    secrets.delete_secret(_secret_key(doc["name"], name))


def list_webhooks(registry, resource_group=None):
    doc = registries.get(registry, resource_group)
    return store().list(type=WEBHOOK_TYPE, parent_id=doc["id"])


def get_config(registry, name, resource_group=None):
    hook = get(registry, name, resource_group)
    doc = registries.get(registry, resource_group)
    raw = secrets.get_secret(_secret_key(doc["name"], hook["name"]))
    return json.loads(raw) if raw else {"customHeaders": {}, "serviceUri": None}


def list_events(registry, name, resource_group=None):
    hook = get(registry, name, resource_group)
    return store().get_value(f"webhook-events/{hook['id'].lower()}", [])


def ping(registry, name, resource_group=None):
    hook = get(registry, name, resource_group)
    doc = registries.get(registry, resource_group)
    event_id = _send(doc, hook, {"id": str(uuid.uuid4()), "timestamp": arm.utc_now(), "action": "ping"})
    return {"id": event_id}


# Delivery ------------------------------------------------------------------------------------

def _matches(scope, repository, tag):
    """ACR scopes: 'repo:tag', 'repo:*', 'repo' (= repo:latest), '' (everything)."""
    if not scope:
        return True
    repo, _, wanted = scope.partition(":")
    wanted = wanted or "latest"
    return repo == repository and (wanted == "*" or wanted == (tag or ""))


def notify(registry_name, action, repository, tag, digest, media_type, size):
    """Called by the registry after a push or delete: POSTs the event to every matching webhook."""
    doc = registries.find(registry_name)
    if doc is None:
        return
    for hook in store().list(type=WEBHOOK_TYPE, parent_id=doc["id"]):
        if hook["status"] != "enabled" or action not in hook["actions"] or not _matches(hook["scope"], repository,
                                                                                         tag):
            continue
        target = {"digest": digest, "length": size, "mediaType": media_type, "repository": repository,
                  "size": size}
        if tag:
            target["tag"] = tag
        event = {
            "action": action,
            "id": str(uuid.uuid4()),
            "request": {"host": doc["loginServer"], "id": str(uuid.uuid4()),
                        "method": "PUT" if action == "push" else "DELETE", "useragent": "azlocal"},
            "target": target,
            "timestamp": arm.utc_now(),
        }
        _send(doc, hook, event)


def _send(doc, hook, event):
    import requests

    raw = secrets.get_secret(_secret_key(doc["name"], hook["name"]))
    config = json.loads(raw) if raw else {}
    status, error = None, None
    try:
        response = requests.post(config["serviceUri"], json=event, headers=config.get("customHeaders") or {},
                                 timeout=10)
        status = response.status_code
    except (requests.RequestException, KeyError) as ex:
        error = str(ex)
    record = {"eventRequestMessage": {"content": event, "method": "POST"},
              "eventResponseMessage": {"statusCode": str(status) if status else None, "reasonPhrase": error},
              "id": event["id"], "timestamp": event["timestamp"]}
    s = store()
    key = f"webhook-events/{hook['id'].lower()}"
    with s.transaction():
        s.set_value(key, ([record] + s.get_value(key, []))[:MAX_EVENTS])
    return event["id"]
