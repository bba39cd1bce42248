"""Vaults: the ARM document, names (global, 3-24 letters, digits and hyphens), soft delete with its retention,
purge protection, recover and purge, and access policies. Functions take plain values and return documents.

A deleted vault is the row `/subscriptions/<sub>/providers/Microsoft.KeyVault/locations/<loc>/deletedVaults/<name>`
(no resource group: deleting the group soft-deletes its vaults, as Azure does); the vault's own document waits
in the key/value table for `recover`. Its name stays taken until it is purged. The vault's objects (objects)
are kept until the purge."""

import re

from knack.log import get_logger

from azlocal.core import arm, settings
from azlocal.core.errors import AzLocalError, ResourceNotFound, ValidationError
from azlocal.core.locations import normalise_location
from azlocal.core.lookups import not_found
from azlocal.keyvault import objects
from azlocal.platform.store import store
from azlocal.resources import groups

logger = get_logger(__name__)

VAULT_TYPE = "Microsoft.KeyVault/vaults"
DELETED_TYPE = "Microsoft.KeyVault/deletedVaults"
_NAME = re.compile(r"^[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$")
FULL = {"keys": ["all"], "secrets": ["all"], "certificates": ["all"], "storage": ["all"]}


class VaultUnreachable(AzLocalError):
    """A vault name that is not a vault of this home: the data plane's host does not resolve."""


def check_name(name):
    if not isinstance(name, str) or not _NAME.match(name) or "--" in name:
        raise ValidationError(f"(VaultNameNotValid) The vault name '{name}' is invalid. A vault's name must be between "
                              "3-24 alphanumeric characters. The name must begin with a letter, end with a letter or "
                              "digit, and not contain consecutive hyphens. Follow this link for more information: "
                              "https://go.microsoft.com/fwlink/?linkid=2147742")
    return name


def find(name):
    """The active vault named `name` (any case, any group), or None."""
    if not name:
        return None
    for doc in store().list(type=VAULT_TYPE):
        if doc["name"].lower() == str(name).lower():
            return doc
    return None


def _expired(deleted):
    import datetime

    when = datetime.datetime.fromisoformat(deleted["properties"]["scheduledPurgeDate"])
    return datetime.datetime.now(datetime.timezone.utc) >= when


def sweep_expired():
    """Deleted vaults past their scheduled purge date are purged (their objects with them), as Azure does."""
    for deleted in [d for d in store().list(type=DELETED_TYPE) if _expired(d)]:
        _purge(deleted)


def find_deleted(name, location=None):
    for doc in store().list(type=DELETED_TYPE):
        if _expired(doc):
            continue
        if doc["name"].lower() == str(name).lower() and (not location or doc["properties"]["location"]
                                                          == normalise_location(location)):
            return doc
    return None


def resolve(vault):
    """A vault document, given one or its name (what the objects' functions take)."""
    if isinstance(vault, dict):
        return vault
    doc = find(vault)
    if doc is None:
        raise VaultUnreachable(f"Failed to resolve '{str(vault).lower()}.vault.azure.net' ([Errno -2] Name or service "
                               "not known)")
    return doc


def get(name, resource_group=None):
    """`keyvault show`: ARM's 404 (exit 3) in a named group; az's own lookup error without one."""
    if resource_group:
        group = groups.get(resource_group)
        doc = store().get(arm.resource_id(group["name"], VAULT_TYPE, name))
        if doc is None:
            raise not_found(VAULT_TYPE, name, group["name"])
        return doc
    doc = find(name)
    if doc is None:
        raise AzLocalError(f"The Vault '{name}' not found within subscription.")
    return doc


def list_vaults(resource_group=None):
    if resource_group:
        groups.get(resource_group)
    return store().list(type=VAULT_TYPE, resource_group=resource_group)


def _taken(name):
    return AzLocalError(
        f"(VaultAlreadyExists) The vault name '{name}' is already in use. Vault names are globally unique so it is "
        "possible that the name is already taken. If you are sure that the vault name was not taken then it is "
        "possible that a vault with the same name was recently deleted but not purged after being placed in a "
        "recoverable state. If the vault is in a recoverable state then the vault will need to be purged before "
        "reusing the name. For more information on soft delete and purging a vault follow this link "
        "https://go.microsoft.com/fwlink/?linkid=2147740")


def check_retention(days):
    if days is None:
        return 90
    try:
        value = int(days)
    except (TypeError, ValueError) as ex:
        raise ValidationError(f"invalid literal for int() with base 10: '{days}'") from ex
    if not 7 <= value <= 90:
        raise ValidationError("(BadRequest) The value of the property 'softDeleteRetentionInDays' must be between 7 "
                              "and 90.")
    return value


def check_purge_protection(value, current=None):
    if value is False and (current or current is None):
        raise ValidationError('(BadRequest) The property "enablePurgeProtection" cannot be set to false. Enabling the '
                              "purge protection for a vault is an irreversible action.")
    return True if value else current


def create(resource_group, name, *, location=None, sku=None, enable_rbac_authorization=True,
           enable_purge_protection=None, retention_days=None, enabled_for_deployment=None,
           enabled_for_disk_encryption=None, enabled_for_template_deployment=None, no_self_perms=None,
           public_network_access=None, bypass=None, default_action=None, network_acls=None, tags=None,
           principal=None):
    """A new vault; the caller (`principal`, the signed-in user by default) gets the full access policy unless
    the vault uses RBAC or --no-self-perms, as az adds it."""
    check_name(name)
    group = groups.get(resource_group)
    rid = arm.resource_id(group["name"], VAULT_TYPE, name)
    sweep_expired()
    if store().get(rid) is not None:
        raise AzLocalError(f"The specified vault: {name} already exists")
    retention = check_retention(retention_days)
    purge = check_purge_protection(enable_purge_protection)
    sku = (sku or "standard").lower()
    if sku not in ("standard", "premium"):
        raise ValidationError(f"(BadRequest) The sku '{sku}' is not valid. Valid values are 'standard' and 'premium'.")
    location = normalise_location(location or group["location"])
    rbac = enable_rbac_authorization is not False
    policies = [] if no_self_perms or rbac else [policy_entry(principal or settings.USER_OBJECT_ID, FULL)]
    now = arm.utc_now()
    doc = {
        "id": rid, "name": name, "type": VAULT_TYPE, "location": location, "resourceGroup": group["name"],
        "tags": dict(tags or {}),
        "systemData": {"createdAt": now, "createdBy": settings.USER_NAME, "createdByType": "User",
                       "lastModifiedAt": now, "lastModifiedBy": settings.USER_NAME, "lastModifiedByType": "User"},
        "properties": {
            "accessPolicies": policies, "createMode": None, "enablePurgeProtection": purge,
            "enableRbacAuthorization": rbac, "enableSoftDelete": True,
            "enabledForDeployment": bool(enabled_for_deployment),
            "enabledForDiskEncryption": enabled_for_disk_encryption,
            "enabledForTemplateDeployment": enabled_for_template_deployment, "hsmPoolResourceId": None,
            "networkAcls": network_acls or {"bypass": bypass or "AzureServices", "defaultAction": default_action
                                            or "Allow", "ipRules": [], "virtualNetworkRules": []},
            "privateEndpointConnections": None, "provisioningState": "Succeeded",
            "publicNetworkAccess": public_network_access or "Enabled",
            "sku": {"family": "A", "name": sku}, "softDeleteRetentionInDays": retention,
            "tenantId": settings.TENANT_ID, "vaultUri": f"https://{name.lower()}.vault.azure.net/",
        },
    }
    s = store()
    with s.transaction():
        if find(name) is not None or find_deleted(name) is not None:
            if find_deleted(name) is not None:
                raise AzLocalError("(ConflictError) A vault with the same name already exists in deleted state. You "
                                   "need to either recover or purge existing key vault. Follow this link "
                                   "https://go.microsoft.com/fwlink/?linkid=2149745 for more information on soft "
                                   "delete.")
            raise _taken(name)
        s.put(doc)
    try:
        publish(doc)
    except BaseException:  # a vault the daemon cannot serve is not made
        with s.transaction():
            s.delete(doc["id"])
        raise
    return doc


def policy_entry(object_id, permissions, application_id=None):
    return {"applicationId": application_id, "objectId": object_id,
            "permissions": {k: list(permissions.get(k) or []) for k in ("certificates", "keys", "secrets", "storage")},
            "tenantId": settings.TENANT_ID}


def save(doc):
    """Writes an updated vault document (update, set-policy)."""
    now = arm.utc_now()
    doc.setdefault("systemData", {}).update(lastModifiedAt=now, lastModifiedBy=settings.USER_NAME,
                                            lastModifiedByType="User")
    s = store()
    with s.transaction():
        s.put(doc)
    return doc


def set_policy(doc, object_id, application_id=None, **permissions):
    """`keyvault set-policy`: the entry of (object id, application id) gets the permissions given; others stay."""
    if doc["properties"].get("enableRbacAuthorization"):
        raise AzLocalError("Cannot set policies to a vault with '--enable-rbac-authorization' specified")
    given = {k: [*dict.fromkeys(v)] for k, v in permissions.items() if v is not None}
    entries = doc["properties"].setdefault("accessPolicies", [])
    for entry in entries:
        if entry["objectId"].lower() == object_id.lower() and (entry.get("applicationId") or "").lower() == \
                (application_id or "").lower():
            entry["permissions"].update(given)
            break
    else:
        entries.append(policy_entry(object_id, given, application_id))
    return save(doc)


def delete_policy(doc, object_id, application_id=None):
    if doc["properties"].get("enableRbacAuthorization"):
        raise AzLocalError("Cannot delete policies to a vault with '--enable-rbac-authorization' specified")
    entries = doc["properties"].get("accessPolicies") or []
    doc["properties"]["accessPolicies"] = [
        e for e in entries if not (e["objectId"].lower() == object_id.lower() and
                                   (e.get("applicationId") or "").lower() == (application_id or "").lower())]
    return save(doc)


def _deleted_id(location, name):
    return f"{arm.subscription_prefix()}/providers/Microsoft.KeyVault/locations/{location}/deletedVaults/{name}"


def _kept_key(name):
    return f"keyvault/deleted-vault/{name.lower()}"


def soft_delete(doc):
    """The vault leaves its group and waits, recoverable, as a deleted vault for its retention days."""
    import datetime

    now = datetime.datetime.now(datetime.timezone.utc)
    days = int(doc["properties"].get("softDeleteRetentionInDays") or 90)
    deleted = {"id": _deleted_id(doc["location"], doc["name"]), "name": doc["name"], "type": DELETED_TYPE,
               "properties": {"deletionDate": now.isoformat(), "location": doc["location"],
                              "purgeProtectionEnabled": doc["properties"].get("enablePurgeProtection"),
                              "scheduledPurgeDate": (now + datetime.timedelta(days=days)).isoformat(),
                              "tags": dict(doc.get("tags") or {}), "vaultId": doc["id"]}}
    s = store()
    with s.transaction():
        s.put(deleted, resource_group="")
        s.set_value(_kept_key(doc["name"]), doc)
        s.delete(doc["id"])
    unpublish(doc)
    return None


def delete(name, resource_group=None):
    soft_delete(get(name, resource_group))


def show_deleted(name, location=None):
    doc = find_deleted(name, location)
    if doc is None:
        if location:
            raise ResourceNotFound(f"The Resource '{DELETED_TYPE}/{name}' under resource group '<null>' was not "
                                   "found.")
        raise AzLocalError(f"No deleted Vault or HSM was found with name {name}")
    return doc


def list_deleted():
    sweep_expired()
    return store().list(type=DELETED_TYPE)


def recover(name, resource_group=None, location=None):
    deleted = show_deleted(name, location)
    kept = store().get_value(_kept_key(deleted["name"]))
    original = kept["resourceGroup"]
    if resource_group and resource_group.lower() != original.lower():
        raise AzLocalError(f"The specified resource group does not match that of the deleted vault or hsm {name}. The "
                           f"vault or hsm must be recovered to the original resource group {original}.")
    groups.get(original)
    s = store()
    with s.transaction():
        s.put(kept)
        s.delete(deleted["id"])
        s.delete_value(_kept_key(deleted["name"]))
    publish(kept)
    return kept


def purge(name, location=None):
    deleted = show_deleted(name, location)
    if deleted["properties"].get("purgeProtectionEnabled"):
        # purge protection: the vault goes at its scheduled purge date (sweep_expired), not before
        raise AzLocalError("(MethodNotAllowed) Operation 'DeletedVaultPurge' is not allowed.")
    _purge(deleted)


def _purge(deleted):
    s = store()
    with s.transaction():
        s.delete(deleted["id"])
        s.delete_value(_kept_key(deleted["name"]))
    objects.remove_vault(deleted["name"])
    unpublish(deleted)


def publish(doc):
    """The vault's name in the hosts file, served by the daemon (started if it is not running)."""
    from azlocal.platform import hosts, lifecycle

    lifecycle.ensure_running()
    hosts.set_entries(add={f"{doc['name'].lower()}.vault.azure.net": settings.daemon_host()})
    from azlocal.platform.tls import ensure_ca

    ensure_ca()


def unpublish(doc):
    from azlocal.platform import hosts

    try:
        hosts.set_entries(remove=[f"{doc['name'].lower()}.vault.azure.net"])
    except OSError as ex:  # the hosts file may not be writable: the name is then simply left
        logger.warning("Could not remove %s.vault.azure.net from the hosts file: %s", doc["name"].lower(), ex)


def cleanup(doc):
    """CLEANER: deleting the vault's group soft-deletes the vault (its objects stay until a purge)."""
    if store().get(doc["id"]) is not None:
        soft_delete(doc)
