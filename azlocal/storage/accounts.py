"""Storage accounts: the ARM document, the two access keys (secret store only) and where the account's
data lives in the home (see azlocal.storage.paths).

Account names are global in Azure; here they are unique within one home. The keys are 64 random bytes,
base64, as Azure's; they are never written to the state database and `show` never prints them.
"""

import base64
import os
import re

from azlocal.core import arm
from azlocal.core.errors import AzLocalError, ResourceNotFoundNoArm, ValidationError
from azlocal.core.locations import normalise_location
from azlocal.core.lookups import not_found
from azlocal.platform import secrets
from azlocal.platform.store import store
from azlocal.resources import groups

ACCOUNT_TYPE = "Microsoft.Storage/storageAccounts"
KEY_NAMES = ("key1", "key2")
SERVICES = ("blob", "dfs", "file", "queue", "table", "web")
_NAME = re.compile(r"^[a-z0-9]{3,24}$")


def check_name(name):
    if not isinstance(name, str) or not _NAME.match(name):
        raise ValidationError(f"(AccountNameInvalid) {name} is not a valid storage account name. Storage account "
                              "name must be between 3 and 24 characters in length and use numbers and lower-case "
                              "letters only.")
    return name


def find(name):
    """The account's document by name (names are unique in a home), or None."""
    if not name:
        return None
    for doc in store().list(type=ACCOUNT_TYPE):
        if doc["name"] == name:
            return doc
    return None


def get(name, resource_group=None):
    """The account; with -g, ARM's 404 (exit 3) when it is not in that group; without, az's own lookup error."""
    if resource_group:
        group = groups.get(resource_group)
        doc = store().get(arm.resource_id(group["name"], ACCOUNT_TYPE, name))
        if doc is None:
            raise not_found(ACCOUNT_TYPE, name, group["name"])
        return doc
    doc = find(name)
    if doc is None:
        raise ResourceNotFoundNoArm(f"Storage account '{name}' not found.")
    return doc


def endpoints(name, suffix="core.windows.net"):
    return {service: f"https://{name}.{service}.{suffix}/" for service in SERVICES}


def _new_key():
    return base64.b64encode(os.urandom(64)).decode()


def _key_secret(rid, key_name):
    return f"{secrets.resource_prefix('storage', rid)}{key_name}"


def create(resource_group, name, *, location=None, sku="Standard_RAGRS", kind="StorageV2", tags=None,
           properties=None):
    """ARM's PUT of a storage account: a new one (with two new keys), or the same one's settings replaced."""
    check_name(name)
    group = groups.get(resource_group)
    location = normalise_location(location or group["location"])
    rid = arm.resource_id(group["name"], ACCOUNT_TYPE, name)
    s = store()
    with s.transaction():
        existing = find(name)
        if existing is not None and existing["id"].lower() != rid.lower():
            raise AzLocalError(f"(StorageAccountAlreadyTaken) The storage account named {name} is already taken.")
        now = existing["creationTime"] if existing else arm.utc_now()
        doc = document(rid, name, location=location, sku=sku, kind=kind, tags=tags, created=now,
                       properties=properties)
        if existing is None:
            for key_name in KEY_NAMES:
                secrets.set_secret(_key_secret(rid, key_name), _new_key())
                secrets.set_secret(_key_secret(rid, key_name + "-time"), now)
        s.put(doc)
    from azlocal.storage import paths

    paths.account_dir(name).mkdir(parents=True, exist_ok=True)
    _publish(name)
    return doc


def host_names(name):
    """The data-plane host names of an account that azlocal serves (blob, file, queue)."""
    return [f"{name}.{service}.core.windows.net" for service in ("blob", "file", "queue")]


def _publish(name):
    """The account's endpoints reach the daemon: it is started, and the names map to it in the hosts file."""
    from azlocal.core import settings
    from azlocal.platform import hosts, lifecycle

    lifecycle.ensure_running()
    hosts.set_entries(add={n: settings.daemon_host() for n in host_names(name)})


def document(rid, name, *, location, sku, kind, tags, created, properties=None):
    """The account as `az storage account show` prints it (the settings the command line gave merged in)."""
    doc = {
        "accessTier": "Hot" if kind in ("StorageV2", "BlobStorage") else None,
        "allowBlobPublicAccess": False,
        "allowCrossTenantReplication": False,
        "allowSharedKeyAccess": None,
        "allowedCopyScope": None,
        "azureFilesIdentityBasedAuthentication": None,
        "blobRestoreStatus": None,
        "creationTime": created,
        "customDomain": None,
        "defaultToOAuthAuthentication": None,
        "dnsEndpointType": None,
        "enableHttpsTrafficOnly": True,
        "enableNfsV3": None,
        "encryption": {
            "encryptionIdentity": None, "keySource": "Microsoft.Storage", "keyVaultProperties": None,
            "requireInfrastructureEncryption": None,
            "services": {s: ({"enabled": True, "keyType": "Account", "lastEnabledTime": created}
                             if s in ("blob", "file") else None) for s in ("blob", "file", "queue", "table")},
        },
        "extendedLocation": None,
        "failoverInProgress": None,
        "geoReplicationStats": None,
        "id": rid,
        "identity": None,
        "immutableStorageWithVersioning": None,
        "isHnsEnabled": None,
        "isLocalUserEnabled": None,
        "isSftpEnabled": None,
        "keyCreationTime": {"key1": created, "key2": created},
        "keyPolicy": None,
        "kind": kind,
        "largeFileSharesState": None,
        "lastGeoFailoverTime": None,
        "location": location,
        "minimumTlsVersion": "TLS1_0",
        "name": name,
        "networkRuleSet": {"bypass": "AzureServices", "defaultAction": "Allow", "ipRules": [],
                           "ipv6Rules": [], "resourceAccessRules": None, "virtualNetworkRules": []},
        "primaryEndpoints": dict(endpoints(name), internetEndpoints=None, microsoftEndpoints=None),
        "primaryLocation": location,
        "privateEndpointConnections": [],
        "provisioningState": "Succeeded",
        "publicNetworkAccess": None,
        "resourceGroup": rid.split("/")[4],
        "routingPreference": None,
        "sasPolicy": None,
        "secondaryEndpoints": None,
        "secondaryLocation": None,
        "sku": {"name": sku, "tier": sku.split("_")[0]},
        "statusOfPrimary": "available",
        "statusOfSecondary": None,
        "storageAccountSkuConversionStatus": None,
        "tags": tags or {},
        "type": ACCOUNT_TYPE,
    }
    if properties:
        doc.update(properties)
    return doc


def list_accounts(resource_group=None):
    if resource_group:
        groups.get(resource_group)
    return store().list(type=ACCOUNT_TYPE, resource_group=resource_group)


def key_values(name):
    """[key1, key2] of an account, or None when there is no such account."""
    doc = find(name)
    if doc is None:
        return None
    return [secrets.get_secret(_key_secret(doc["id"], k)) for k in KEY_NAMES]


def check_key(name, key):
    """Whether `key` is one of the account's two keys (compared in constant time)."""
    import hmac

    values = key_values(name) or []
    return bool(key) and any(v and hmac.compare_digest(v.encode(), str(key).encode()) for v in values)


def keys(resource_group, name):
    """`az storage account keys list`: both keys with their creation times."""
    doc = get(name, resource_group)
    out = []
    for key_name in KEY_NAMES:
        out.append({"creationTime": secrets.get_secret(_key_secret(doc["id"], key_name + "-time")) or
                    doc["creationTime"], "keyName": key_name, "permissions": "FULL",
                    "value": secrets.get_secret(_key_secret(doc["id"], key_name))})
    return out


def renew(resource_group, name, key_name):
    """A new value for key1 or key2 (the old one stops working at once, as in Azure)."""
    doc = get(name, resource_group)
    if key_name not in KEY_NAMES:
        raise ValidationError(f"usage error: --key must be one of {', '.join(KEY_NAMES)}")
    now = arm.utc_now()
    secrets.set_secret(_key_secret(doc["id"], key_name), _new_key())
    secrets.set_secret(_key_secret(doc["id"], key_name + "-time"), now)
    s = store()
    with s.transaction():
        fresh = s.get(doc["id"]) or doc
        fresh.setdefault("keyCreationTime", {})[key_name] = now
        s.put(fresh)
    return keys(resource_group, name)


def connection_string(name, key=None, *, protocol="https", suffix="core.windows.net", sas_token=None,
                      endpoints_=None):
    """`DefaultEndpointsProtocol=…;EndpointSuffix=…;AccountName=…;AccountKey=…` (or a SAS), as az builds it."""
    parts = [f"DefaultEndpointsProtocol={protocol}", f"EndpointSuffix={suffix}", f"AccountName={name}"]
    if sas_token:
        parts.append(f"SharedAccessSignature={sas_token.lstrip('?')}")
    elif key is not None:
        parts.append(f"AccountKey={key}")
    for service, url in (endpoints_ or {}).items():
        if url:
            parts.append(f"{service.capitalize()}Endpoint={url}")
    return ";".join(parts)


def delete(resource_group, name):
    doc = get(name, resource_group)
    cleanup(doc)
    s = store()
    with s.transaction():
        s.delete(doc["id"])


def cleanup(doc):
    """Removes the account's data (shares, containers, blobs) and its keys."""
    import shutil

    from azlocal.platform import hosts
    from azlocal.storage import paths

    shutil.rmtree(paths.account_dir(doc["name"]), ignore_errors=True)
    hosts.set_entries(remove=host_names(doc["name"]))
    secrets.delete_prefix(secrets.resource_prefix("storage", doc["id"]))


def check_name_availability(name):
    """`az storage account check-name`: whether the name is valid and free (in this home)."""
    try:
        check_name(name)
    except ValidationError as ex:
        return {"message": str(ex).split(") ", 1)[-1], "nameAvailable": False, "reason": "AccountNameInvalid"}
    if find(name) is not None:
        return {"message": f"The storage account named {name} is already taken.", "nameAvailable": False,
                "reason": "AlreadyExists"}
    return {"message": None, "nameAvailable": True, "reason": None}
