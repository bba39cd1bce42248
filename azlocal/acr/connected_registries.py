"""ACR connected registries: on-premises replicas of a Premium registry, run by an appliance on IoT Edge or
Azure Arc that syncs with the cloud registry through a sync token.

Decision (issue 12, item 9): recorded with realistic shapes, with a warning that no connected registry runs or
syncs locally (the appliance cannot exist offline: it never activates, so it stays `Offline`/`Inactive`).
Everything the cloud side owns is real: the connected registry is an ARM child resource of its registry (so
deleting the registry or its group removes it), its hierarchy follows ACR's mode rules, and its sync token and
scope map are real tokens and scope maps (azlocal.acr.tokens / scope_maps) that the registry enforces. As az
does, `--repository` creates a sync scope map and token named after the connected registry, with the
repositories' actions for the mode plus the connected registry's gateway actions, and every ancestor's sync
scope map gets the child's gateway (and repository) actions. get-settings and permissions are in
connected_settings.
"""

import re
from datetime import timedelta

from knack.log import get_logger

from azlocal.acr import cron, registries, scope_maps, tokens
from azlocal.core import arm, settings
from azlocal.core.errors import AzLocalError, ValidationError
from azlocal.core.lookups import not_found
from azlocal.platform.store import store

logger = get_logger(__name__)

CONNECTED_REGISTRY_TYPE = "Microsoft.ContainerRegistry/registries/connectedRegistries"
NOT_LOCAL = ("Connected registry '{}' is recorded only: no connected registry runs or syncs locally (the "
             "on-premises appliance cannot exist offline), so it stays Offline and never activates.")
MODES = {"readonly": "ReadOnly", "readwrite": "ReadWrite"}
GATEWAY_ACTIONS = ["config/read", "config/write", "message/read", "message/write"]
REPO_ACTIONS = {"readonly": ["content/read", "metadata/read"],
                "readwrite": ["content/read", "content/write", "content/delete", "metadata/read", "metadata/write"]}
LOG_LEVELS = ("Debug", "Information", "Warning", "Error", "None")
CONTINUOUS = "* * * * *"
_NAME = re.compile(r"^[a-zA-Z][a-zA-Z0-9_-]{4,39}$")
_DURATION = re.compile(r"^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$",
                       re.IGNORECASE)


# Values ----------------------------------------------------------------------------------------

def duration_shown(text, option):
    """An ISO 8601 duration as az prints the service's value (a timedelta): PT4H -> '4:00:00'."""
    found = _DURATION.match(text or "")
    if not found or not any(found.groups()):
        raise ValidationError(f"(InvalidRequestParameter) {option}: '{text}' is not a valid ISO 8601 duration "
                              "(for example PT4H or P2D).")
    weeks, days, hours, minutes, seconds = (float(g) if g else 0 for g in found.groups())
    return str(timedelta(weeks=weeks, days=days, hours=hours, minutes=minutes, seconds=seconds))


def log_level_of(text):
    for level in LOG_LEVELS:
        if level.lower() == (text or "").lower():
            return level
    raise ValidationError(f"(InvalidRequestParameter) The log level '{text}' is not valid. Accepted log levels are "
                          "Debug, Information, Warning, Error, and None.")


def audit_of(value):
    return "Enabled" if value in (True, "true", "Enabled") else "Disabled"


def _check_arguments(name, *, auth_type, identity, sync_token, repositories, parent):
    """az's own checks, in its order (all exit 1)."""
    if auth_type == "ManagedIdentity":
        if not identity or identity.isspace():
            raise ValidationError("argument error: --identity <user-assigned-managed-identity-resource-id> is "
                                  "required when --auth-type ManagedIdentity.")
        if sync_token is not None or repositories is not None:
            raise ValidationError("argument error: --sync-token and --repository are not applicable when "
                                  "--auth-type ManagedIdentity.")
        if parent is not None:
            raise ValidationError("argument error: --parent is not applicable when --auth-type ManagedIdentity.")
    else:
        if identity is not None:
            raise ValidationError("argument error: --identity is only applicable with --auth-type ManagedIdentity.")
        if bool(sync_token) == bool(repositories):
            raise ValidationError("argument error: either --sync-token or --repository must be provided, but not "
                                  "both.")
    if len(name) < 5:
        raise ValidationError("argument error: Connected registry name must be at least 5 characters long.")


def refuse_identity():
    raise AzLocalError("(InvalidParameter) --identity: managed identities are not available offline yet, so a "
                       "connected registry cannot authenticate with one. Use --auth-type SyncToken (the default).")


# Lookups ---------------------------------------------------------------------------------------

def cr_id(registry_doc, name):
    return f"{registry_doc['id']}/connectedRegistries/{name}"


def find(registry_doc, name):
    return store().get(cr_id(registry_doc, name))


def require(registry_doc, name):
    return store().require(cr_id(registry_doc, name), not_found(
        f"{registries.REGISTRY_TYPE}/{registry_doc['name']}/connectedRegistries", name,
        registries.group_of_doc(registry_doc)))


def all_of(registry_doc):
    """The registry's connected registries in creation order."""
    found = store().list(type=CONNECTED_REGISTRY_TYPE, parent_id=registry_doc["id"])
    return sorted(found, key=lambda d: d["systemData"]["createdAt"])


def children_of(connected, parent_doc):
    return [d for d in connected if (d["parent"]["id"] or "").lower() == parent_doc["id"].lower()]


def descendants_of(connected, parent_doc):
    out = []
    for child in children_of(connected, parent_doc):
        out += [child] + descendants_of(connected, child)
    return out


def ancestors_of(connected, doc):
    by_id = {d["id"].lower(): d for d in connected}
    out, parent_id = [], doc["parent"]["id"]
    while parent_id and parent_id.lower() in by_id:
        out.append(by_id[parent_id.lower()])
        parent_id = by_id[parent_id.lower()]["parent"]["id"]
    return out


def get(registry, name, resource_group=None):
    return require(registries.get(registry, resource_group), name)


# Sync scope maps -------------------------------------------------------------------------------

def sync_scope_map(registry_doc, connected_doc):
    """The scope map of a connected registry's sync token (az's `permissions show`)."""
    token_id = connected_doc["parent"]["syncProperties"]["tokenId"]
    token = tokens.show(registry_doc["name"], token_id.split("/tokens/")[1], registries.group_of_doc(registry_doc))
    return scope_maps.require(registry_doc, token["scopeMapId"].split("/scopeMaps/")[1])


def change_actions(registry_doc, connected_doc, add, remove, message):
    """Adds and removes actions of a connected registry's sync scope map (inside the caller's transaction),
    with az's warning when they change it."""
    current = sync_scope_map(registry_doc, connected_doc)
    final = set(current["actions"]).union(add).difference(remove)
    if final == set(current["actions"]):
        return current
    logger.warning(message)
    return scope_maps.put(registry_doc, current["name"], sorted(final), current.get("description"))


def gateway_actions(name):
    return [f"gateway/{name.lower()}/{a}" for a in GATEWAY_ACTIONS]


def repo_actions(repositories, mode):
    return [f"repositories/{r.lower()}/{a}" for r in repositories or () for a in REPO_ACTIONS[mode]]


def _update_ancestors(registry_doc, connected, doc_or_parent, gateway, repositories=None, mode=None, remove=False,
                      include_self=False):
    """az's walk up the hierarchy: each ancestor's sync scope map gets (or loses) the gateway's actions."""
    chain = ([doc_or_parent] if include_self else []) + ancestors_of(connected, doc_or_parent)
    repo_msg = f" and repo(s) '{', '.join(repositories)}' {mode} permissions" if repositories else ""
    for ancestor in chain:
        text = "Removing" if remove else "Adding"
        message = (f"{text} '{gateway}' gateway permissions{repo_msg} to connected registry '{ancestor['name']}' "
                   "sync scope map.")
        if remove:
            change_actions(registry_doc, ancestor, set(), set(gateway_actions(gateway)), message)
        else:
            change_actions(registry_doc, ancestor, set(repo_actions(repositories, mode) + gateway_actions(gateway)),
                           set(), message)


def _create_sync_token(registry_doc, name, repositories, mode):
    """As az: a scope map and a token both named after the connected registry (overwritten if they exist)."""
    actions = repo_actions(repositories, mode) + gateway_actions(name)
    logger.warning("If sync scope map '%s' already exists, its actions will be overwritten", name)
    map_doc = scope_maps.put(registry_doc, name, actions, f"Created by connected registry sync token: {name}")
    logger.warning("If sync token '%s' already exists, it properties will be overwritten", name)
    return tokens.put_token(registry_doc, name, map_doc)


# Documents -------------------------------------------------------------------------------------

def _system_data(now, created=None):
    user = settings.USER_NAME
    return {"createdAt": created or now, "createdBy": user, "createdByType": "User",
            "lastModifiedAt": now, "lastModifiedBy": user, "lastModifiedByType": "User"}


def _gateway_endpoint(registry_doc, parent_doc):
    """A connected registry syncs with its parent's gateway: the cloud registry's data endpoint at the top,
    the parent's login server (known only once the parent activates, which never happens here) below."""
    if parent_doc is not None:
        return None
    hosts = registry_doc.get("dataEndpointHostNames") or []
    return hosts[0] if hosts else None


def _document(registry_doc, name, plan, token_doc, existing):
    now = arm.utc_now()
    parent = plan["parent"]
    return {
        "activation": {"status": "Inactive"},
        "clientTokenIds": plan["client_tokens"],
        "connectionState": "Offline",
        "garbageCollection": {"enabled": plan["gc_enabled"], "schedule": plan["gc_schedule"]},
        "id": cr_id(registry_doc, name),
        "identity": None,
        "lastActivityTime": None,
        "logging": {"auditLogStatus": plan["audit"], "logLevel": plan["log_level"]},
        "loginServer": None,
        "mode": MODES[plan["mode"]],
        "name": existing["name"] if existing else name,
        "notificationsList": plan["notifications"],
        "parent": {"id": parent["id"] if parent else None,
                   "syncProperties": {"authType": "SyncToken",
                                      "gatewayEndpoint": _gateway_endpoint(registry_doc, parent),
                                      "lastSyncTime": None, "messageTtl": plan["ttl"], "schedule": plan["schedule"],
                                      "syncWindow": plan["window"] if plan["schedule"] != CONTINUOUS else None,
                                      "tokenId": token_doc["id"] if token_doc else None}},
        "provisioningState": "Succeeded",
        "registrySyncResult": None,
        "statusDetails": [],
        "systemData": _system_data(now, existing and existing["systemData"]["createdAt"]),
        "type": CONNECTED_REGISTRY_TYPE,
        "version": None,
    }


def token_ids(registry_doc, names):
    """Client tokens by name as the ids of existing tokens (ARM refuses a token that does not exist)."""
    group = registries.group_of_doc(registry_doc)
    return [tokens.show(registry_doc["name"], n, group)["id"] for n in names or ()]


# Commands --------------------------------------------------------------------------------------

def check_create(registry, name, resource_group=None, *, mode=None, repositories=None, sync_token=None,
                 client_tokens=None, parent=None, schedule=None, ttl=None, window=None, log_level=None,
                 audit_logs=False, notifications=None, gc_enabled=None, gc_schedule=None, auth_type=None,
                 identity=None):
    """Every check of create, before anything is written. Returns (registry document, plan)."""
    _check_arguments(name, auth_type=auth_type, identity=identity, sync_token=sync_token,
                     repositories=repositories, parent=parent)
    mode = (mode or "ReadOnly").lower()
    if mode not in MODES:
        raise AzLocalError("usage error: --mode supports only 'ReadWrite' and 'ReadOnly' values.")
    doc = registries.get(registry, resource_group)
    if doc["sku"]["name"] != "Premium":
        raise AzLocalError("(FeatureNotSupportedForSku) Connected registries are only supported for managed "
                           "registries in Premium SKU.")
    if auth_type == "ManagedIdentity":
        refuse_identity()
    if not _NAME.match(name):
        raise ValidationError(f"(InvalidResourceName) The connected registry name '{name}' is invalid: it must be 5 "
                              "to 40 characters long, start with a letter and contain only alphanumeric characters, "
                              "'_' or '-'.")
    parent_doc = None
    if parent:
        parent_doc = find(doc, parent)
        if parent_doc is None:
            raise AzLocalError(f"The parent connected registry '{parent}' could not be found.")
        if parent_doc["mode"].lower() not in ("readwrite", mode):
            raise AzLocalError(f"Can't create the registry '{name}' with mode '{mode}' when the connected registry "
                               f"parent '{parent}' mode is '{parent_doc['mode']}'. For more information on "
                               "connected registries please visit https://aka.ms/acr/connected-registry.")
    existing = find(doc, name)
    if existing is not None and (existing["mode"].lower() != mode or (existing["parent"]["id"] or "").lower()
                                 != (parent_doc["id"].lower() if parent_doc else "")):
        raise AzLocalError(f"(InvalidRequestParameter) The mode and parent of the connected registry '{name}' "
                           "cannot be changed.")
    if repositories:
        scope_maps.check_name(name, "sync token")
    group = registries.group_of_doc(doc)
    plan = {
        "mode": mode, "parent": parent_doc, "repositories": repositories,
        "sync_token": tokens.show(doc["name"], sync_token, group) if sync_token else None,
        "client_tokens": token_ids(doc, client_tokens) if client_tokens is not None else None,
        "schedule": schedule or CONTINUOUS, "ttl": duration_shown(ttl or "P2D", "--sync-message-ttl"),
        "window": duration_shown(window, "--sync-window") if window else None,
        "log_level": log_level_of(log_level or "Information"), "audit": audit_of(audit_logs),
        "notifications": list(dict.fromkeys(notifications)) if notifications else None,
        "gc_enabled": gc_enabled is not False, "gc_schedule": gc_schedule or "0 0 * * *",
    }
    cron.check_cron(plan["schedule"])
    cron.check_cron(plan["gc_schedule"])
    return doc, plan


def create(registry, name, resource_group=None, **options):
    doc, plan = check_create(registry, name, resource_group, **options)
    with store().transaction():
        existing = find(doc, name)
        if plan["parent"] is not None:
            _update_ancestors(doc, all_of(doc), plan["parent"], name, plan["repositories"], plan["mode"],
                              include_self=True)
        token_doc = plan["sync_token"] or _create_sync_token(doc, name, plan["repositories"], plan["mode"])
        connected = _document(doc, name, plan, token_doc, existing)
        store().put(connected)
    registries._bump_credentials_revision(doc["name"])
    logger.warning(NOT_LOCAL.format(name))
    return connected


def list_connected(registry, resource_group=None, *, parent=None, no_children=False):
    doc = registries.get(registry, resource_group)
    connected = all_of(doc)
    if no_children:
        if parent:
            return [d for d in connected if d["parent"]["id"]
                    and d["parent"]["id"].rsplit("/", 1)[-1].lower() == parent.lower()]
        return [d for d in connected if not d["parent"]["id"]]
    if parent:
        parent_doc = next((d for d in connected if d["name"].lower() == parent.lower()), None)
        if parent_doc is None:
            raise AzLocalError(f"Parent connected registry '{parent}' doesn't exist.")
        return descendants_of(connected, parent_doc)
    return connected


def delete(registry, name, resource_group=None, *, cleanup=False):
    """Deletes the connected registry; with cleanup, also its sync token and scope map and its gateway's
    actions in its ancestors' sync scope maps (as az), otherwise az's warning with the commands to run."""
    doc = registries.get(registry, resource_group)
    with store().transaction():
        connected = all_of(doc)
        target = require(doc, name)
        children = children_of(connected, target)
        if children:
            raise AzLocalError(f"(ConnectedRegistryHasChildren) The connected registry '{target['name']}' has child "
                               f"connected registries ({', '.join(c['name'] for c in children)}): delete them "
                               "first.")
        store().delete(target["id"])
        token_id = target["parent"]["syncProperties"]["tokenId"]
        token = store().get(token_id) if token_id else None
        if token is None:
            return None
        map_name = token["scopeMapId"].split("/scopeMaps/")[1]
        if not cleanup:
            logger.warning("Connected registry successfully deleted. Please cleanup your sync tokens and scope maps. "
                           "Run the following commands for cleanup: \n\taz acr token delete -n %s -r %s --yes\n\t"
                           "az acr scope-map delete -n %s -r %s --yes\nRun the following command on all ascendency "
                           "to remove the deleted registry gateway access: \n\taz acr scope-map update -n "
                           "<scope-map-name> -r %s --remove-gateway %s", token["name"], doc["name"], map_name,
                           doc["name"], doc["name"], " ".join([name] + GATEWAY_ACTIONS))
            return None
        tokens.remove(doc, token)
        map_doc = scope_maps.find(doc, map_name)
        if map_doc is not None and not scope_maps.is_system(map_name):
            store().delete(map_doc["id"])
        parent = next((d for d in connected if target["parent"]["id"]
                       and d["id"].lower() == target["parent"]["id"].lower()), None)
        if parent is not None:
            remaining = [d for d in connected if d["id"] != target["id"]]
            _update_ancestors(doc, remaining, parent, name, remove=True, include_self=True)
    registries._bump_credentials_revision(doc["name"])
    return None


def deactivate(registry, name, resource_group=None):
    """Deactivating frees the connected registry for another appliance: one never activated here, so it stays
    Inactive and Offline (az prints nothing)."""
    doc = registries.get(registry, resource_group)
    target = require(doc, name)
    logger.warning(NOT_LOCAL.format(target["name"]))
    with store().transaction():
        target.update(activation={"status": "Inactive"}, connectionState="Offline")
        target["systemData"]["lastModifiedAt"] = arm.utc_now()
        store().put(target)


def resync(registry, name, resource_group=None):
    target = get(registry, name, resource_group)
    logger.warning(NOT_LOCAL.format(target["name"]))
    return target
