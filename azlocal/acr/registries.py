"""Azure Container Registry resources: ARM documents, credentials, SKUs, lifecycle.

The registry's content (repositories, manifests, blobs) is served by the daemon's registry
under `<home>/registries/<name>/`; this module owns the ARM side and what must be created or
removed around it (secrets, hosts entries, storage).
"""

import json
import re
import secrets as pysecrets
import shutil

from knack.log import get_logger

from azlocal.acr import encryption, registry_options, replication_records
from azlocal.acr.registry_options import LOGIN_SUFFIX
from azlocal.acr.registry_rules import (  # noqa: F401 - SKU_LIMITS, canonical_sku, storage_root: their old home
    _READ_ONLY,
    REGISTRY_TYPE,
    SKU_LIMITS,
    canonical_sku,
    check_downgrade,
    storage_root,
    used_bytes,
    validate,
)
from azlocal.core import arm, generic_update, settings
from azlocal.core.errors import AzLocalError, ValidationError
from azlocal.core.locations import normalise_location
from azlocal.core.lookups import not_found
from azlocal.platform import secrets
from azlocal.platform.store import store
from azlocal.resources import groups

logger = get_logger(__name__)

_NAME = re.compile(r"^[a-zA-Z0-9-]{5,50}$")


# Names ---------------------------------------------------------------------------------

def normalise_name(name):
    """As az's registry-name validator: strips a `.azurecr.io` login server, checks the rules."""
    from knack.log import get_logger

    if name and "." in name:
        base, _, suffix = name.partition(".")
        if "." + suffix.lower() != LOGIN_SUFFIX:
            raise ValidationError("The login server suffix is not valid for the current cloud. "
                                  f"Please try again using '{LOGIN_SUFFIX}'.")
        dash = base.find("-")
        omitted = (base[dash:] if dash != -1 else "") + LOGIN_SUFFIX
        name = base[:dash] if dash != -1 else base
        get_logger(__name__).warning("Registry name is '%s'. The following suffix '%s' is automatically omitted.",
                                     name, omitted)
    if not name or "-" in name or not _NAME.match(name):
        raise ValidationError("Registry names may contain only alpha numeric characters and must be "
                              "between 5 and 50 characters")
    return name


def login_server(name):
    return f"{name.lower()}{LOGIN_SUFFIX}"


# Lookup --------------------------------------------------------------------------------

def find(name):
    """The registry's document by name (case-insensitive), or None."""
    for doc in store().list(type=REGISTRY_TYPE):
        if doc["name"].lower() == name.lower():
            return doc
    return None


def get(name, resource_group=None):
    """As az: without -g a missing registry is az's own error (exit 1); with -g, ARM's 404 (exit 3)."""
    name = normalise_name(name)
    if resource_group:
        groups.get(resource_group)
        return store().require(arm.resource_id(resource_group, REGISTRY_TYPE, name),
                               not_found(REGISTRY_TYPE, name, resource_group))
    doc = find(name)
    if doc is None:
        raise AzLocalError(
            f"The resource with name '{name}' and type '{REGISTRY_TYPE}' could not be found in subscription "
            f"'{settings.SUBSCRIPTION_NAME} ({settings.SUBSCRIPTION_ID})'.")
    return doc


def group_of_doc(doc):
    from azlocal.platform.store import group_of

    return group_of(doc["id"])


def list_registries(resource_group=None):
    if resource_group:
        groups.get(resource_group)
    return store().list(type=REGISTRY_TYPE, resource_group=resource_group)


# Create / update / delete ------------------------------------------------------------------

def check_name(name, resource_group=None, dnl_scope="Unsecure"):
    if dnl_scope == "ResourceGroupReuse" and resource_group is None:
        raise AzLocalError("Resource group name is required for domain name label scope "
                                      "ResourceGroupReuse")
    if not _NAME.match(name or "") or "-" in name:
        return {"availableLoginServerName": None, "message": "The specified resource name is not valid.",
                "nameAvailable": False, "reason": "Invalid"}
    if find(name) is not None:
        return {"availableLoginServerName": None, "message": f"The registry {name} is already in use.",
                "nameAvailable": False, "reason": "AlreadyExists"}
    return {"availableLoginServerName": registry_options.login_server_for(name, dnl_scope, resource_group),
            "message": None, "nameAvailable": True, "reason": None}


def create(resource_group, name, sku, location=None, *, admin_enabled=False, tags=None, dnl_scope=None,
           identity=None, key_encryption_key=None, workspace=None, zone_redundancy=None, **options):
    """ARM's PUT: a new registry, or (same group) the existing one's properties replaced, as Azure does."""
    if name != name.lower():
        raise ValidationError("argument error: Registry name must use only lowercase.")
    if "-" in name:
        raise ValidationError("argument error: Registry name cannot contain dashes.")
    name = normalise_name(name)
    encryption.check_flags(identity, key_encryption_key, sku)
    group = groups.get(resource_group)
    location = normalise_location(location or group["location"])
    rid = arm.resource_id(group["name"], REGISTRY_TYPE, name)
    cmk = encryption.prepare(identity, key_encryption_key, sku, group["name"], rid)  # the data key, wrapped
    now = arm.utc_now()
    doc = _document(rid, name, location, sku, admin_enabled=False, tags=tags, now=now, zone_redundancy=zone_redundancy)
    registry_options.apply(doc, sku, True, admin_enabled=bool(admin_enabled), **options)
    if dnl_scope:
        doc["autoGeneratedDomainNameLabelScope"] = dnl_scope
    validate(doc, doc)
    s = store()
    with s.transaction():
        existing = find(name)
        if existing is not None:
            if existing["id"].lower() != rid.lower():
                raise AzLocalError(
                    f"(AlreadyInUse) The registry DNS name {existing['loginServer']} is already in use. You can check "
                    "if the name is already claimed using following API: "
                    "https://docs.microsoft.com/en-us/rest/api/containerregistry/registries/checknameavailability")
            if existing["location"] != location:
                raise AzLocalError(f"(InvalidResourceLocation) The resource '{name}' already exists in location "
                                   f"'{existing['location']}' in resource group '{group['name']}'. A resource with "
                                   f"the same name cannot be created in location '{location}'. Please select a new "
                                   "resource name.")
            # ARM's create is a PUT on an existing registry: an update. The login server stays.
            doc["creationDate"] = existing["creationDate"]
            doc["systemData"]["createdAt"] = existing["systemData"]["createdAt"]
            doc["autoGeneratedDomainNameLabelScope"] = existing["autoGeneratedDomainNameLabelScope"]
            doc["loginServer"] = existing["loginServer"]
            if existing["sku"]["name"] != sku:
                check_downgrade(doc, sku)
        else:
            doc["loginServer"] = registry_options.login_server_for(name, dnl_scope, group["name"])
        encryption.apply(doc, cmk, existing)
        replication_records.sync_home(doc)
        sync_endpoint_names(doc)
        s.put(doc)
        # Credentials and the token key are made with the row, so a failure leaves neither.
        if secrets.get_secret(_secret_key(name, "password")) is None:
            _new_password(name, "password")
            _new_password(name, "password2")
            secrets.set_secret(_secret_key(name, "token-key"), pysecrets.token_hex(32))
    storage_root(name).mkdir(parents=True, exist_ok=True)
    encryption.save_key(name, cmk)
    _publish(doc, existing)
    if workspace:
        logger.warning("--workspace: diagnostic settings are not sent to Log Analytics offline; the registry's "
                       "events are in 'azlocal logs' and its runs' logs in 'az acr task logs'.")
    return doc


def sync_endpoint_names(doc):
    """The data and regional endpoint host names of the home region and each replication."""
    regions = [r["location"] for r in replication_records.others(doc)] + [doc["location"]]
    doc["dataEndpointHostNames"], doc["regionalEndpointHostNames"] = registry_options.endpoint_names(doc, regions)


def served_names(doc):
    return [doc["loginServer"]] + list(doc.get("dataEndpointHostNames") or []) + list(
        doc.get("regionalEndpointHostNames") or [])


def _document(rid, name, location, sku, admin_enabled, tags, now, public_network_enabled=None, zone_redundancy=None):
    user = settings.USER_NAME
    return {
        "adminUserEnabled": bool(admin_enabled),
        "anonymousPullEnabled": False,
        "autoGeneratedDomainNameLabelScope": "Unsecure",
        "creationDate": now,
        "dataEndpointEnabled": False,
        "dataEndpointHostNames": [],
        "encryption": {"keyVaultProperties": None, "status": "disabled"},
        "endpointProtocol": None,
        "id": rid,
        "identity": None,
        "location": location,
        "loginServer": login_server(name),
        "metadataSearch": "Disabled",
        "name": name,
        "networkRuleBypassAllowedForTasks": None,
        "networkRuleBypassOptions": "AzureServices",
        "networkRuleSet": {"defaultAction": "Allow", "ipRules": []} if sku == "Premium" else None,
        "policies": {
            "azureAdAuthenticationAsArmPolicy": {"status": "enabled"},
            "exportPolicy": {"status": "enabled"},
            "quarantinePolicy": {"status": "disabled"},
            "retentionPolicy": {"days": 7, "lastUpdatedTime": now, "status": "disabled"},
            "softDeletePolicy": {"lastUpdatedTime": now, "retentionDays": 7, "status": "disabled"},
            "trustPolicy": {"status": "disabled", "type": "Notary"},
        },
        "privateEndpointConnections": [],
        "provisioningState": "Succeeded",
        "publicNetworkAccess": "Disabled" if public_network_enabled is False else "Enabled",
        "regionalEndpointHostNames": None,
        "regionalEndpoints": None,
        "roleAssignmentMode": "LegacyRegistryPermissions",
        "sku": {"name": sku, "tier": sku},
        "status": None,
        "systemData": {"createdAt": now, "createdBy": user, "createdByType": "User",
                       "lastModifiedAt": now, "lastModifiedBy": user, "lastModifiedByType": "User"},
        "tags": tags or {},
        "type": REGISTRY_TYPE,
        "writableCacheRepos": None,
        "zoneRedundancy": zone_redundancy or "Disabled",
    }


def update(name, resource_group=None, sku=None, *, set_=None, add=None, remove=None, force_string=False, **options):
    """ARM's PATCH: the named arguments first, then --set/--add/--remove; Azure validates the result."""
    s = store()
    with s.transaction():
        doc = get(name, resource_group)
        new = json.loads(json.dumps(doc))
        if sku:
            new["sku"] = {"name": sku, "tier": sku}
        registry_options.apply(new, sku, False, **options)
        new = generic_update.updated_copy(new, set_, add, remove, force_string, read_only=_READ_ONLY)
        validate(new, doc)
        if new.get("regionalEndpoints") == "Enabled" and doc.get("regionalEndpoints") != "Enabled" \
                and not new.get("dataEndpointEnabled"):
            logger.warning("It is recommended to also enable dedicated data endpoints (--data-endpoint-enabled) "
                           "for optimal in-region performance when using regional endpoints.")
        new["systemData"]["lastModifiedAt"] = arm.utc_now()
        replication_records.sync_home(new)
        sync_endpoint_names(new)
        s.put(new)
    if served_names(new) != served_names(doc):
        _publish(new, doc)
    return new


def delete(name, resource_group=None):
    doc = get(name, resource_group)
    cleanup(doc)
    s = store()
    with s.transaction():
        s.delete_children(doc["id"])
        s.delete(doc["id"])


def cleanup(doc):
    """Everything a registry owns outside its row: stored content, secrets, the host name."""
    from azlocal.platform import hosts

    name = doc["name"]
    shutil.rmtree(storage_root(name), ignore_errors=True)
    secrets.delete_prefix(f"acr/{name.lower()}/")
    hosts.set_entries(remove=served_names(doc) + replication_records.endpoints_of(doc))


# Credentials -----------------------------------------------------------------------------

def _secret_key(name, item):
    return f"acr/{name.lower()}/{item}"


def random_password(length):
    """A password as ACR makes them: `length` characters drawn from letters, digits, '+' and '/'."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    return "".join(pysecrets.choice(alphabet) for _ in range(length))


def _new_password(name, which):
    value = random_password(52)  # ACR's admin passwords are 52 characters long
    secrets.set_secret(_secret_key(name, which), value)
    return value


def credential_show(name, resource_group=None):
    doc = get(name, resource_group)
    if not doc["adminUserEnabled"]:
        raise AzLocalError(f"Run 'az acr update -n {doc['name']} --admin-enabled true' to enable admin first.")
    return {
        "passwords": [{"name": p, "value": secrets.get_secret(_secret_key(doc["name"], p))}
                      for p in ("password", "password2")],
        "username": doc["name"],
    }


def credential_renew(name, password_name, resource_group=None):
    doc = get(name, resource_group)
    if not doc["adminUserEnabled"]:
        raise AzLocalError(f"Run 'az acr update -n {doc['name']} --admin-enabled true' to enable admin first.")
    _new_password(doc["name"], password_name)
    _bump_credentials_revision(doc["name"])
    return credential_show(name, resource_group)


def _bump_credentials_revision(name):
    # The daemon caches credentials per registry; this tells it they changed.
    s = store()
    key = f"acr-credentials-rev/{name.lower()}"
    with s.transaction():
        s.set_value(key, s.get_value(key, 0) + 1)


def token_key(name):
    return (secrets.get_secret(_secret_key(name, "token-key")) or "").encode()


AZ_CLI_CLIENT_ID = "04b07795-8ddb-461a-bbee-02f9e1bf7b46"  # the Azure CLI's application id


def arm_token():
    """The signed-in user's Azure AD access token for the registry audience, as `az acr login` asks for it
    (https://containerregistry.azure.net): a JWT of this home's issuer, which the registry's /oauth2/exchange
    verifies like any other principal's (the signed-in user owns the subscription: every right)."""
    from azlocal.core import settings
    from azlocal.identity import tokens

    return tokens.issue(settings.USER_OBJECT_ID, AZ_CLI_CLIENT_ID, "https://containerregistry.azure.net")[
        "access_token"]


# Storage and usage ----------------------------------------------------------------------

def show_usage(name, resource_group=None):
    doc = get(name, resource_group)
    quota, webhooks = SKU_LIMITS[doc["sku"]["name"]]
    webhook_count = len(store().list(type=REGISTRY_TYPE + "/webhooks", parent_id=doc["id"]))
    value = [
        {"currentValue": used_bytes(doc["name"]), "limit": quota, "name": "Size", "unit": "Bytes"},
        {"currentValue": webhook_count, "limit": webhooks, "name": "Webhooks", "unit": "Count"},
    ]
    if doc["sku"]["name"] == "Premium":
        replicas = len(store().list(type=REGISTRY_TYPE + "/replications", parent_id=doc["id"]))
        rules = len(((doc.get("networkRuleSet") or {}).get("ipRules")) or [])
        value += [{"currentValue": replicas, "limit": -1, "name": "Geo-replications", "unit": "Count"},
                  {"currentValue": rules, "limit": 100, "name": "IPRules", "unit": "Count"},
                  {"currentValue": 0, "limit": 100, "name": "VNetRules", "unit": "Count"},
                  {"currentValue": 0, "limit": 200, "name": "PrivateEndpointConnections", "unit": "Count"}]
    value += _token_usages(doc)
    return {"value": value}


def _token_usages(doc):
    """ScopeMaps and Tokens (on every tier; the five system scope maps do not count)."""
    from azlocal.acr import scope_maps, tokens

    limit = scope_maps.limit_of(doc)
    return [{"currentValue": len(scope_maps.user_defined(doc)), "limit": limit, "name": "ScopeMaps", "unit": "Count"},
            {"currentValue": len(store().list(type=tokens.TOKEN_TYPE, parent_id=doc["id"])), "limit": limit,
             "name": "Tokens", "unit": "Count"}]


# The daemon and the host name ---------------------------------------------------------------

def _publish(doc, before=None):
    """Makes the registry's names (`<name>[-<hash>].azurecr.io`, its data and regional endpoints) reach the
    daemon: start it, map the names to loopback, drop the names it no longer has."""
    from azlocal.platform import hosts, lifecycle
    from azlocal.platform.engine import docker_client, lookup

    lifecycle.ensure_running()
    names = served_names(doc)
    kept = names + replication_records.endpoints_of(doc)
    stale = [n for n in served_names(before) if n not in kept] if before else []
    if hosts.set_entries(add={n: settings.daemon_host() for n in names}, remove=stale) \
            and docker_client.reachable():
        lookup.wait_until_engine_resolves(doc["loginServer"])
