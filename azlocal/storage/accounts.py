"""Storage accounts: the ARM document, the two access keys (secret store only) and where the account's
data lives in the home (see azlocal.storage.paths).

Account names are global in Azure; here they are unique within one home. The keys are 64 random bytes,
base64, as Azure's; they are never written to the state database and `show` never prints them.
"""

import base64
import os
import re

from knack.log import get_logger

from azlocal.core import arm
from azlocal.core.errors import AzLocalError, ResourceNotFoundNoArm, ValidationError
from azlocal.core.locations import normalise_location
from azlocal.core.lookups import not_found
from azlocal.platform import secrets
from azlocal.platform.store import store
from azlocal.resources import groups

logger = get_logger(__name__)

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


_PAIRS = {"eastus": "westus", "westus": "eastus", "eastus2": "centralus", "centralus": "eastus2",
          "westus2": "westcentralus", "westus3": "eastus", "northeurope": "westeurope", "westeurope": "northeurope",
          "uksouth": "ukwest", "ukwest": "uksouth", "francecentral": "francesouth", "germanywestcentral":
          "germanynorth", "swedencentral": "swedensouth", "japaneast": "japanwest", "japanwest": "japaneast",
          "australiaeast": "australiasoutheast", "southeastasia": "eastasia", "eastasia": "southeastasia",
          "canadacentral": "canadaeast", "brazilsouth": "southcentralus", "southcentralus": "northcentralus",
          "northcentralus": "southcentralus", "centralindia": "southindia", "koreacentral": "koreasouth"}


def create(resource_group, name, *, location=None, sku="Standard_RAGRS", kind="StorageV2", tags=None,
           options=None):
    """ARM's PUT of a storage account: a new one (with two new keys), or the same one's settings updated.
    `options` are the remaining command-line settings (see azlocal.storage.account_options)."""
    from azlocal.storage import account_options

    check_name(name)
    group = groups.get(resource_group)
    location = normalise_location(location or group["location"])
    rid = arm.resource_id(group["name"], ACCOUNT_TYPE, name)
    taken = find(name)
    if taken is not None and taken["id"].lower() != rid.lower():
        raise AzLocalError(f"(StorageAccountAlreadyTaken) The storage account named {name} is already taken.")
    from azlocal.platform import lifecycle

    lifecycle.ensure_running()  # before anything is written: a daemon that cannot start leaves no account behind
    s = store()
    with s.transaction():
        existing = find(name)
        if existing is not None and existing["id"].lower() != rid.lower():
            raise AzLocalError(f"(StorageAccountAlreadyTaken) The storage account named {name} is already taken.")
        if existing is not None:
            logger.warning("A storage account with the provided name %s is found. Will continue to update the "
                           "existing account.", name)
        now = existing["creationTime"] if existing else arm.utc_now()
        doc = existing or document(rid, name, location=location, sku=sku, kind=kind, created=now)
        if existing is not None and existing["location"] != location:
            raise AzLocalError(f"(InvalidResourceLocation) The resource '{name}' already exists in location "
                               f"'{existing['location']}' in resource group '{group['name']}'. A resource with the "
                               f"same name cannot be created in location '{location}'. Please select a new "
                               "resource name.")
        opts = dict(options or {}, sku=sku, tags=tags if tags is not None else (None if existing else {}))
        account_options.apply(doc, opts, creating=existing is None)
        if existing is not None:
            doc["kind"] = kind
        _secondary(doc)
        if existing is None:
            for key_name in KEY_NAMES:
                secrets.set_secret(_key_secret(rid, key_name), _new_key())
                secrets.set_secret(_key_secret(rid, key_name + "-time"), now)
        s.put(doc)
    from azlocal.storage import paths

    paths.account_dir(name).mkdir(parents=True, exist_ok=True)
    _publish(name)
    return doc


def update(resource_group, name, *, options=None, set_=None, add=None, remove=None, force_string=False):
    """`az storage account update`: the named settings, then the generic --set/--add/--remove."""
    from azlocal.core import generic_update
    from azlocal.storage import account_options

    s = store()
    with s.transaction():
        doc = get(name, resource_group)
        doc = generic_update.updated_copy(doc, set_, add, remove, force_string,
                                          read_only=("id", "name", "type", "creationTime", "primaryEndpoints"))
        account_options.apply(doc, dict(options or {}), creating=False)
        _secondary(doc)
        s.put(doc)
    return doc


def _secondary(doc):
    """Geo-redundant SKUs have a secondary region; read-access ones (RA-) also its endpoints."""
    sku = doc["sku"]["name"]
    name, location = doc["name"], doc["location"]
    geo = "GRS" in sku or "GZRS" in sku
    doc["secondaryLocation"] = _PAIRS.get(location, "westus") if geo else None
    doc["statusOfSecondary"] = "available" if geo else None
    doc["secondaryEndpoints"] = ({s: f"https://{name}-secondary.{s}.core.windows.net/"
                                  for s in ("blob", "dfs", "queue", "table", "web")} if sku.split("_")[1].startswith(
                                      "RA") else None)
    if doc["secondaryEndpoints"]:
        doc["secondaryEndpoints"].update(file=None, internetEndpoints=None, ipv6Endpoints=None,
                                         microsoftEndpoints=None)


def host_names(name):
    """The data-plane host names of an account that azlocal serves (blob, file, queue)."""
    return [f"{name}.{service}.core.windows.net" for service in ("blob", "file", "queue")]


def _publish(name):
    """The account's endpoints reach the daemon: it is started, and the names map to it in the hosts file."""
    from azlocal.core import settings
    from azlocal.platform import hosts

    hosts.set_entries(add={n: settings.daemon_host() for n in host_names(name)})


def document(rid, name, *, location, sku, kind, created):
    """The account as `az storage account show` prints it (api-version 2025-08-01), before the command line's
    settings are applied (account_options.apply)."""
    premium_files = kind in ("FileStorage", "BlockBlobStorage")
    services = {s: (_encrypted(created) if s in ("blob", "file") else None) for s in ("blob", "file", "queue",
                                                                                      "table")}
    return {
        "accessTier": None if premium_files or kind == "Storage" else "Hot",
        "accountMigrationInProgress": None,
        "allowBlobPublicAccess": False,
        "allowCrossTenantReplication": False,
        "allowSharedKeyAccess": None,
        "allowSharedKeyAccessForServices": None,
        "allowedCopyScope": None,
        "azureFilesIdentityBasedAuthentication": None,
        "blobRestoreStatus": None,
        "creationTime": created,
        "customDomain": None,
        "dataCollaborationPolicyProperties": None,
        "defaultToOAuthAuthentication": None,
        "dnsEndpointType": None,
        "dualStackEndpointPreference": None,
        "enableExtendedGroups": None,
        "enableHttpsTrafficOnly": True,
        "enableNfsV3": None,
        "encryption": {"encryptionIdentity": None, "keySource": "Microsoft.Storage", "keyVaultProperties": None,
                       "requireInfrastructureEncryption": None, "services": services},
        "extendedLocation": None,
        "failoverInProgress": None,
        "geoPriorityReplicationStatus": None,
        "geoReplicationStats": None,
        "id": rid,
        "identity": None,
        "immutableStorageWithVersioning": None,
        "isHnsEnabled": None,
        "isLocalUserEnabled": None,
        "isSftpEnabled": None,
        "isSkuConversionBlocked": None,
        "keyCreationTime": {"key1": created, "key2": created},
        "keyPolicy": None,
        "kind": kind,
        "largeFileSharesState": None,
        "lastGeoFailoverTime": None,
        "location": location,
        "minimumTlsVersion": "TLS1_2",
        "name": name,
        "networkRuleSet": {"bypass": "AzureServices", "defaultAction": "Allow", "ipRules": [], "ipv6Rules": [],
                           "resourceAccessRules": None, "virtualNetworkRules": []},
        "placement": None,
        "primaryEndpoints": dict(endpoints(name), internetEndpoints=None, ipv6Endpoints=None,
                                 microsoftEndpoints=None),
        "primaryLocation": location,
        "privateEndpointConnections": [],
        "provisioningState": "Succeeded",
        "publicNetworkAccess": None,
        "resourceGroup": rid.split("/")[4],
        "routingPreference": None,
        "sasPolicy": None,
        "secondaryEndpoints": None,
        "secondaryLocation": None,
        "sku": {"name": sku, "tier": "Premium" if sku.startswith("Premium") else "Standard"},
        "statusOfPrimary": "available",
        "statusOfSecondary": None,
        "storageAccountSkuConversionStatus": None,
        "systemData": None,
        "tags": {},
        "type": ACCOUNT_TYPE,
        "zones": None,
    }


def _encrypted(now):
    return {"enabled": True, "keyType": "Account", "lastEnabledTime": now}


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
    """az's connection string: `DefaultEndpointsProtocol=…;EndpointSuffix=…;AccountName=…;AccountKey=…`, then
    the Blob, File, Queue and Table endpoints given, then `SharedAccessSignature=…` — in that order."""
    parts = [f"DefaultEndpointsProtocol={protocol}", f"EndpointSuffix={suffix}"]
    if name is not None:
        parts += [f"AccountName={name}", f"AccountKey={key}"]
    for service in ("blob", "file", "queue", "table"):
        url = (endpoints_ or {}).get(service)
        if url:
            parts.append(f"{service.capitalize()}Endpoint={url}")
    if sas_token:
        parts.append(f"SharedAccessSignature={sas_token}")
    return ";".join(parts)


def show_connection_string(resource_group, name, *, protocol="https", key_name="key1", sas_token=None,
                           overrides=None):
    """`az storage account show-connection-string`: the account's endpoints unless given (--blob-endpoint …)."""
    doc = get(name, resource_group)
    values = key_values(name)
    chosen = {s: (overrides or {}).get(s) or doc["primaryEndpoints"].get(s) for s in ("blob", "file", "queue",
                                                                                       "table")}
    key = values[1] if key_name == "key2" else values[0]
    return {"connectionString": connection_string(name, key, protocol=protocol, sas_token=sas_token,
                                                  endpoints_=chosen)}


def with_expand(doc, expand):
    """`show --expand geoReplicationStats` adds the secondary's replication state (geo-redundant SKUs)."""
    if expand == "geoReplicationStats" and doc.get("secondaryLocation"):
        sku = doc["sku"]["name"]
        doc = dict(doc, geoReplicationStats={
            "canFailover": True, "canPlannedFailover": True, "lastSyncTime": arm.utc_now(),
            "postFailoverRedundancy": "Standard_ZRS" if "GZRS" in sku else "Standard_LRS",
            "postPlannedFailoverRedundancy": sku, "status": "Live"})
    return doc


def usage(location):
    """`az storage account show-usage`: the storage accounts in a region against Azure's default limit."""
    location = normalise_location(location)
    count = sum(1 for doc in store().list(type=ACCOUNT_TYPE) if doc["location"] == location)
    return {"currentValue": count, "limit": 250,
            "name": {"localizedValue": "Storage Accounts", "value": "StorageAccounts"}, "unit": "Count"}


def delete(resource_group, name):
    """ARM's DELETE: the account, its data and keys; an account that is not there is no error (204)."""
    if resource_group:
        group = groups.get(resource_group)
        doc = store().get(arm.resource_id(group["name"], ACCOUNT_TYPE, name))
        if doc is None:
            return
    else:
        doc = get(name)
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
