"""ACR connected registries, their settings: update, client tokens, get-settings (the appliance's connection
string, with a real new sync token password) and the repository permissions of the sync scope maps, walked
through the hierarchy as az walks it. The resources themselves: connected_registries."""

from knack.log import get_logger

from azlocal.acr import connected_registries as cr
from azlocal.acr import cron, registries, tokens
from azlocal.core import arm
from azlocal.core.errors import AzLocalError, ValidationError
from azlocal.platform.store import store

logger = get_logger(__name__)


def _names(ids):
    return sorted(i[i.rfind("/") + 1:] for i in ids)


def _check_identity_update(target, auth_type, identity):
    if auth_type is None and identity is None:
        return
    if not auth_type:
        raise ValidationError("argument error: --auth-type is required when --identity is provided during update.")
    if auth_type != "ManagedIdentity":
        raise ValidationError("argument error: only migration to --auth-type ManagedIdentity is supported.")
    if not identity or identity.isspace():
        raise ValidationError("argument error: a non-empty --identity <user-assigned-managed-identity-resource-id> "
                              "is required when migrating to --auth-type ManagedIdentity.")
    cr.refuse_identity()


def update(registry, name, resource_group=None, *, add_client_tokens=None, remove_client_tokens=None, schedule=None,
           window=None, log_level=None, ttl=None, audit_logs=None, add_notifications=None, remove_notifications=None,
           gc_enabled=None, gc_schedule=None, identity=None, auth_type=None):
    """ARM's PATCH of a connected registry: only what is given changes. A window bounds a scheduled sync, so a
    continuous schedule ('* * * * *') has none."""
    doc = registries.get(registry, resource_group)
    target = cr.require(doc, name)
    _check_identity_update(target, auth_type, identity)
    prefix = f"{doc['id']}/tokens/".lower()
    add_ids = {f"{prefix}{n}".lower() for n in add_client_tokens or ()}
    remove_ids = {f"{prefix}{n}".lower() for n in remove_client_tokens or ()}
    if add_ids & remove_ids:
        raise AzLocalError("Update ambiguity. Duplicate client token ids were provided with --add-client-tokens and "
                           f"--remove-client-tokens arguments.\n{_names(add_ids & remove_ids)}")
    duplicates = set(add_notifications or ()) & set(remove_notifications or ())
    if duplicates:
        raise ValidationError("Update ambiguity. Duplicate notifications list were provided with --add-notifications "
                              f"and --remove-notifications arguments.\n{sorted(duplicates)}")
    added = cr.token_ids(doc, add_client_tokens)
    sync = target["parent"]["syncProperties"]
    if schedule is not None:
        cron.check_cron(schedule)
        sync["schedule"] = schedule
    if window is not None:
        sync["syncWindow"] = cr.duration_shown(window, "--sync-window")
    if sync["schedule"] == cr.CONTINUOUS:
        sync["syncWindow"] = None
    if ttl is not None:
        sync["messageTtl"] = cr.duration_shown(ttl, "--sync-message-ttl")
    if log_level is not None:
        target["logging"]["logLevel"] = cr.log_level_of(log_level)
    if audit_logs is not None:
        target["logging"]["auditLogStatus"] = cr.audit_of(audit_logs)
    if gc_enabled is not None:
        target["garbageCollection"]["enabled"] = gc_enabled
    if gc_schedule is not None:
        cron.check_cron(gc_schedule)
        target["garbageCollection"]["schedule"] = gc_schedule
    current = target["clientTokenIds"] or []
    kept = [i for i in current if i.lower() not in remove_ids]
    final = kept + [i for i in added if i.lower() not in {k.lower() for k in kept}]
    if {i.lower() for i in final} != {i.lower() for i in current}:
        target["clientTokenIds"] = final
    notifications = target["notificationsList"] or []
    kept = [n for n in notifications if n not in set(remove_notifications or ())]
    final = kept + [n for n in dict.fromkeys(add_notifications or ()) if n not in kept]
    if set(final) != set(notifications):
        target["notificationsList"] = final
    target["systemData"]["lastModifiedAt"] = arm.utc_now()
    with store().transaction():
        store().put(target)
    logger.warning(cr.NOT_LOCAL.format(target["name"]))
    return target


def list_client_tokens(registry, name, resource_group=None):
    doc = registries.get(registry, resource_group)
    target = cr.require(doc, name)
    group = registries.group_of_doc(doc)
    return [tokens.show(doc["name"], i.rsplit("/", 1)[-1], group) for i in target["clientTokenIds"] or ()]


def sync_token_name(target):
    return target["parent"]["syncProperties"]["tokenId"].split("/tokens/")[1]


def get_settings(registry, name, parent_protocol, resource_group=None, *, generate_password=None):
    """The settings an appliance would be started with. With --generate-password, that password of the sync token
    is generated for real (the old one stops working at once) and shown once."""
    doc = registries.get(registry, resource_group)
    target = cr.require(doc, name)
    token_name = sync_token_name(target)
    if generate_password:
        generated = tokens.credential_generate(doc["name"], token_name, registries.group_of_doc(doc),
                                               password1=generate_password == "1",
                                               password2=generate_password == "2")
        username = generated["username"]
        password = next(p["value"] for p in generated["passwords"] if p["name"].endswith(generate_password))
        logger.warning("Please store your generated credentials safely.")
    else:
        username, password = token_name, "<use --generate-password to generate a new password>"
    sync = target["parent"]["syncProperties"]
    endpoint = sync.get("gatewayEndpoint") or "<parent gateway endpoint>"
    protocol = parent_protocol
    if not target["parent"]["id"]:
        if parent_protocol != "https":
            logger.warning("Parent endpoint protocol must be 'https' when parent is a cloud registry.")
        protocol = "https"
    connection = (f"ConnectedRegistryName={name};SyncTokenName={username};SyncTokenPassword={password};"
                  f"ParentGatewayEndpoint={endpoint};ParentEndpointProtocol={protocol}")
    return {
        "SYNC_TOKEN_USER": username,
        "SYNC_TOKEN_PASSWORD": password,
        "ACR_REGISTRY_CERTIFICATE_VOLUME": "/var/acr/certs",
        "ACR_REGISTRY_DATA_VOLUME": "/var/acr/data",
        "ACR_REGISTRY_CONNECTION_STRING": connection,
        "ACR_REGISTRY_LOGIN_SERVER": "<Optional: connected registry login server. More info at "
                                     "https://aka.ms/acr/connected-registry>",
    }


def permissions_show(registry, name, resource_group=None):
    doc = registries.get(registry, resource_group)
    return cr.sync_scope_map(doc, cr.require(doc, name))


def permissions_update(registry, name, resource_group=None, *, add=None, remove=None):
    """As az: removed repositories leave the target and its descendants, added ones (with the target's mode's
    actions) join the target and its ancestors."""
    if not add and not remove:
        raise AzLocalError("No repository permissions to update.")
    doc = registries.get(registry, resource_group)
    duplicates = sorted(r[r.rfind("/") + 1:] for r in set(add or ()) & set(remove or ()))
    if duplicates:
        raise AzLocalError("Update ambiguity. Duplicate repository names were provided with --add and --remove "
                           f"arguments.\n{duplicates}")
    with store().transaction():
        connected = cr.all_of(doc)
        target = next((d for d in connected if d["name"].lower() == name.lower()), None)
        if target is None:
            raise AzLocalError(f"Connected registry '{name}' doesn't exist.")
        removed = set(cr.repo_actions(remove, "readwrite"))
        added = set(cr.repo_actions(add, target["mode"].lower()))
        if remove:
            text = ", ".join(remove)
            for child in cr.descendants_of(connected, target):
                cr.change_actions(doc, child, set(), removed,
                                  f"Removing '{text}' repository permissions from {child['name']}")
        if add:
            text = ", ".join(add)
            for ancestor in cr.ancestors_of(connected, target):
                cr.change_actions(doc, ancestor, added, set(),
                                  f"Adding '{text}' repository permissions to {ancestor['name']}")
        if add and remove:
            message = (f"Adding '{', '.join(add)}' and removing '{', '.join(remove)}' repository permissions in "
                       f"{target['name']}")
        elif add:
            message = f"Adding '{', '.join(add)}' repository permissions to {target['name']}"
        else:
            message = f"Removing '{', '.join(remove)}' repository permissions from {target['name']}"
        cr.change_actions(doc, target, added, removed, message)
    registries._bump_credentials_revision(doc["name"])
