"""Azure Container Registry resources: ARM documents, credentials, SKUs, lifecycle.

The registry's content (repositories, manifests, blobs) is served by the daemon's registry
under `<home>/registries/<name>/`; this module owns the ARM side and what must be created or
removed around it (secrets, hosts entries, storage).
"""

import json
import re
import secrets as pysecrets
import shutil

from azlocal import safepath, settings
from azlocal.errors import AzLocalError, ResourceNotFound, ValidationError
from azlocal.services import arm, generic_update, groups
from azlocal.services.locations import normalise_location
from azlocal.state import secrets
from azlocal.state.store import store

REGISTRY_TYPE = "Microsoft.ContainerRegistry/registries"
LOGIN_SUFFIX = ".azurecr.io"
GIB = 1024 ** 3
# Included storage per SKU (Azure's published limits), enforced on push; webhooks per SKU.
SKU_LIMITS = {"Basic": (10 * GIB, 2), "Standard": (100 * GIB, 10), "Premium": (500 * GIB, 500)}
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
        get_logger(__name__).warning("Registry name is '%s'. The following suffix '%s' is automatically omitted.",
                                     base, LOGIN_SUFFIX)
        name = base
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
        doc = store().get(arm.resource_id(resource_group, REGISTRY_TYPE, name))
        if doc is None:
            raise ResourceNotFound(
                f"The Resource '{REGISTRY_TYPE}/{name}' under resource group '{resource_group}' was not found. "
                "For more details please go to https://aka.ms/ARMResourceNotFoundFix")
        return doc
    doc = find(name)
    if doc is None:
        raise AzLocalError(
            f"The resource with name '{name}' and type '{REGISTRY_TYPE}' could not be found in subscription "
            f"'{settings.SUBSCRIPTION_NAME} ({settings.SUBSCRIPTION_ID})'.")
    return doc


def group_of_doc(doc):
    from azlocal.state.store import group_of

    return group_of(doc["id"])


def list_registries(resource_group=None):
    if resource_group:
        groups.get(resource_group)
    return store().list(type=REGISTRY_TYPE, resource_group=resource_group)


# Create / update / delete ------------------------------------------------------------------

def check_name(name):
    if not _NAME.match(name or "") or "-" in name:
        return {"availableLoginServerName": None, "message": "The specified resource name is not valid.",
                "nameAvailable": False, "reason": "Invalid"}
    if find(name) is not None:
        return {"availableLoginServerName": None, "message": f"The registry {name} is already in use.",
                "nameAvailable": False, "reason": "AlreadyExists"}
    return {"availableLoginServerName": login_server(name), "message": None, "nameAvailable": True,
            "reason": None}


def create(resource_group, name, sku, location=None, admin_enabled=False, tags=None, public_network_enabled=None,
           zone_redundancy=None, default_action=None):
    if name != name.lower():
        raise ValidationError("argument error: Registry name must use only lowercase.")
    if "-" in name:
        raise ValidationError("argument error: Registry name cannot contain dashes.")
    name = normalise_name(name)
    if default_action and sku != "Premium":
        raise ValidationError("Network rules are only supported for managed registries in Premium SKU.")
    group = groups.get(resource_group)
    location = normalise_location(location or group["location"])
    rid = arm.resource_id(group["name"], REGISTRY_TYPE, name)
    now = arm.utc_now()
    doc = _document(rid, name, location, sku, admin_enabled, tags, now, public_network_enabled, zone_redundancy)
    s = store()
    with s.transaction():
        existing = find(name)
        if existing is not None:
            if existing["id"].lower() != rid.lower():
                raise AzLocalError(
                    f"(AlreadyInUse) The registry DNS name {login_server(name)} is already in use. You can check "
                    "if the name is already claimed using following API: "
                    "https://docs.microsoft.com/en-us/rest/api/containerregistry/registries/checknameavailability")
            # ARM's create is a PUT on an existing registry: an update.
            doc["creationDate"] = existing["creationDate"]
            doc["systemData"]["createdAt"] = existing["systemData"]["createdAt"]
        s.put(doc)
        # Credentials and the token key are made with the row, so a failure leaves neither.
        if secrets.get_secret(_secret_key(name, "password")) is None:
            _new_password(name, "password")
            _new_password(name, "password2")
            secrets.set_secret(_secret_key(name, "token-key"), pysecrets.token_hex(32))
    _storage_root(name).mkdir(parents=True, exist_ok=True)
    _publish(name)
    return doc


def _document(rid, name, location, sku, admin_enabled, tags, now, public_network_enabled, zone_redundancy):
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
        "networkRuleSet": None,
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


def update(name, resource_group=None, sku=None, admin_enabled=None, anonymous_pull_enabled=None, tags=None,
           public_network_enabled=None, set_=None, add=None, remove=None, force_string=False):
    s = store()
    with s.transaction():
        doc = get(name, resource_group)
        new = json.loads(json.dumps(doc))
        # az applies the named arguments first, then --set/--add/--remove; Azure validates the result.
        if sku:
            new["sku"] = {"name": sku, "tier": sku}
        if admin_enabled is not None:
            new["adminUserEnabled"] = admin_enabled
        if anonymous_pull_enabled is not None:
            new["anonymousPullEnabled"] = anonymous_pull_enabled
        if public_network_enabled is not None:
            new["publicNetworkAccess"] = "Enabled" if public_network_enabled else "Disabled"
        if tags is not None:
            new["tags"] = tags
        new = generic_update.updated_copy(new, set_, add, remove, force_string, read_only=_READ_ONLY)
        validate(new, doc)
        new["systemData"]["lastModifiedAt"] = arm.utc_now()
        s.put(new)
    return new


# Properties a registry's PATCH cannot change (ARM ignores them in the body).
_READ_ONLY = ("id", "name", "type", "location", "loginServer", "creationDate", "provisioningState", "status",
              "systemData", "dataEndpointHostNames", "privateEndpointConnections", "zoneRedundancy",
              "autoGeneratedDomainNameLabelScope", "regionalEndpointHostNames", "regionalEndpoints",
              "encryption", "identity", "policies.retentionPolicy.lastUpdatedTime",
              "policies.softDeletePolicy.lastUpdatedTime")
_POLICY_STATUS = ("enabled", "disabled")


def canonical_sku(value):
    """Azure's SKU names, matched in any casing; anything else is refused as Azure refuses it."""
    for known in SKU_LIMITS:
        if isinstance(value, str) and value.lower() == known.lower():
            return known
    raise ValidationError(f"(InvalidSkuName) The SKU name {json.dumps(value)} is not valid. Allowed values: "
                          f"{', '.join(SKU_LIMITS)}.")


def validate(doc, before):
    """Azure's checks of a registry update, the same whichever arguments set the values."""
    sku = generic_update.check_object(doc, "sku", nullable=False)
    doc["sku"] = {"name": canonical_sku(sku.get("name")), "tier": canonical_sku(sku.get("name"))}
    sku = doc["sku"]["name"]
    for key in ("adminUserEnabled", "anonymousPullEnabled", "dataEndpointEnabled"):
        generic_update.check_bool(doc, key)
    generic_update.check_bool(doc, "networkRuleBypassAllowedForTasks", nullable=True)
    generic_update.check_choice(doc, "publicNetworkAccess", ("Enabled", "Disabled"))
    generic_update.check_choice(doc, "networkRuleBypassOptions", ("AzureServices", "None"))
    generic_update.check_choice(doc, "metadataSearch", ("Enabled", "Disabled"))
    generic_update.check_choice(doc, "roleAssignmentMode", ("LegacyRegistryPermissions", "AbacRepositoryPermissions"))
    generic_update.check_choice(doc, "endpointProtocol", ("IPv4", "IPv4AndIPv6"), nullable=True)
    generic_update.check_tags(doc)
    _validate_policies(doc, sku)
    rules = generic_update.check_object(doc, "networkRuleSet")
    if rules:
        generic_update.check_choice(rules, "defaultAction", ("Allow", "Deny"), "networkRuleSet.defaultAction")
        if not isinstance(rules.get("ipRules", []), list):
            raise generic_update.invalid_content("Cannot deserialize into a list.", "networkRuleSet.ipRules")
    if doc["anonymousPullEnabled"] and sku == "Basic":
        raise AzLocalError("(AnonymousPullNotSupported) Anonymous pull is not supported for the Basic "
                           "SKU. Use the Standard or Premium SKU.")
    if sku != "Premium":
        if rules:
            raise ValidationError("Network rules are only supported for managed registries in Premium SKU.")
        if doc["dataEndpointEnabled"]:
            raise ValidationError("Dedicated data endpoints are only supported for managed registries in "
                                  "Premium SKU.")
    if sku != before["sku"]["name"]:
        _check_downgrade(doc, sku)


def _validate_policies(doc, sku):
    policies = generic_update.check_object(doc, "policies", nullable=False)
    for key in list(policies):
        policy = generic_update.check_object(policies, key, f"policies.{key}", nullable=False)
        if "status" in policy:
            generic_update.check_choice(policy, "status", _POLICY_STATUS, f"policies.{key}.status", lower=True)
        if key == "retentionPolicy" and "days" in policy:
            generic_update.check_int(policy, "days", 0, 365, "policies.retentionPolicy.days")
        if key == "softDeletePolicy" and "retentionDays" in policy:
            generic_update.check_int(policy, "retentionDays", 1, 90, "policies.softDeletePolicy.retentionDays")
        if key == "trustPolicy" and "type" in policy:
            generic_update.check_choice(policy, "type", ("Notary",), "policies.trustPolicy.type")
        premium_only = key in ("retentionPolicy", "trustPolicy", "quarantinePolicy")
        if premium_only and policy.get("status") == "enabled" and sku != "Premium":
            raise ValidationError(f"The {key[:-len('Policy')]} policy is only supported for managed registries "
                                  "in Premium SKU.")


def _check_downgrade(doc, sku):
    quota, webhook_limit = SKU_LIMITS[sku]
    if used_bytes(doc["name"]) > quota:
        raise AzLocalError(f"(QuotaExceeded) The registry uses more storage than {sku} includes.")
    children = store().list(parent_id=doc["id"])
    if len([c for c in children if c["type"].lower() == (REGISTRY_TYPE + "/webhooks").lower()]) > webhook_limit:
        raise AzLocalError(f"(QuotaExceeded) The registry has more webhooks than the {sku} SKU allows "
                           f"({webhook_limit}).")
    if sku != "Premium" and any(c["type"].lower() == (REGISTRY_TYPE + "/replications").lower() for c in children):
        raise ValidationError("Replications are only supported for managed registries in Premium SKU. Delete the "
                              "registry's replications before changing its SKU.")


def delete(name, resource_group=None):
    doc = get(name, resource_group)
    cleanup(doc)
    s = store()
    with s.transaction():
        s.delete_children(doc["id"])
        s.delete(doc["id"])


def cleanup(doc):
    """Everything a registry owns outside its row: stored content, secrets, the host name."""
    from azlocal.daemon import hosts
    from azlocal.services.replications import endpoints_of

    name = doc["name"]
    shutil.rmtree(_storage_root(name), ignore_errors=True)
    secrets.delete_prefix(f"acr/{name.lower()}/")
    hosts.set_entries(remove=[login_server(name)] + endpoints_of(doc))


# Credentials -----------------------------------------------------------------------------

def _secret_key(name, item):
    return f"acr/{name.lower()}/{item}"


def _new_password(name, which):
    # ACR's admin passwords are 52 characters drawn from letters, digits, '+' and '/'.
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    value = "".join(pysecrets.choice(alphabet) for _ in range(52))
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


def arm_token():
    """The local stand-in for the user's Azure AD access token: a home-wide secret."""
    token = secrets.get_secret("account/arm-token")
    if token is None:
        token = pysecrets.token_urlsafe(32)
        secrets.set_secret("account/arm-token", token)
    return token


# Storage and usage ----------------------------------------------------------------------

def _storage_root(name):
    return safepath.home_path("registries", ("registry", name.lower()))


def storage_root(name):
    return _storage_root(name)


def used_bytes(name):
    blobs = _storage_root(name) / "blobs"
    if not blobs.exists():
        return 0
    return sum(p.stat().st_size for p in blobs.rglob("*") if p.is_file())


def show_usage(name, resource_group=None):
    doc = get(name, resource_group)
    quota, webhooks = SKU_LIMITS[doc["sku"]["name"]]
    webhook_count = len(store().list(type=REGISTRY_TYPE + "/webhooks", parent_id=doc["id"]))
    value = [
        {"currentValue": used_bytes(doc["name"]), "limit": quota, "name": "Size", "unit": "Bytes"},
        {"currentValue": webhook_count, "limit": webhooks, "name": "Webhooks", "unit": "Count"},
    ]
    if doc["sku"]["name"] == "Premium":
        value.append({"currentValue": 0, "limit": -1, "name": "Geo-replications", "unit": "Count"})
    return {"value": value}


# The daemon and the host name ---------------------------------------------------------------

def _publish(name):
    """Makes `<name>.azurecr.io` reach the daemon: start it, map the name to loopback."""
    from azlocal.daemon import hosts, lifecycle
    from azlocal.engine import docker_client, lookup

    lifecycle.ensure_running()
    if hosts.set_entries(add={login_server(name): settings.daemon_host()}) and docker_client.reachable():
        lookup.wait_until_engine_resolves(login_server(name))
