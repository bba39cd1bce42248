"""The optional properties of a registry that `az acr create` and `az acr update` set, in az's order.

What each does here:
- `--dnl-scope`: the login server gets Azure's `-<hash>` (`<name>-<hash>.azurecr.io`), a hash that is
  stable for the scope (tenant, subscription, group) and random for NoReuse; the daemon serves it.
- `--data-endpoint-enabled` / `--regional-endpoints` (Premium): the registry is also served at
  `<name>.<region>.data.azurecr.io` / `<name>.<region>.geo.azurecr.io` for its home region and each
  replication, and those names are listed in `dataEndpointHostNames` / `regionalEndpointHostNames`.
- `--allow-exports false`: `az acr import` refuses this registry as a source.
- `--public-network-enabled false`: as az, the network rule set's default action becomes Deny.
- Properties that have no local counterpart (metadata search, trusted services, role-assignment mode,
  endpoint protocol, writable cache repositories) are stored as Azure stores them and a warning says
  that they have no effect offline.
"""

import hashlib
import secrets as pysecrets

from knack.log import get_logger

from azlocal.core import settings
from azlocal.core.errors import AzLocalError, ValidationError

logger = get_logger(__name__)

LOGIN_SUFFIX = ".azurecr.io"

NETWORK_RULE_NOT_SUPPORTED = "Network rules are only supported for managed registries in Premium SKU."
REGIONAL_ENDPOINTS_NOT_SUPPORTED = "Regional endpoints are only supported for managed registries in Premium SKU."
DNL_SCOPES = ("Unsecure", "TenantReuse", "SubscriptionReuse", "ResourceGroupReuse", "NoReuse")
ROLE_MODES = {"rbac": "LegacyRegistryPermissions", "rbac-abac": "AbacRepositoryPermissions"}
_HASH_ALPHABET = "abcdefghjkmnpqrstuvwxyz0123456789"


def dnl_hash(name, scope, resource_group=None):
    """Azure's domain-name-label hash: the same name in the same scope gets the same hash."""
    if scope in (None, "Unsecure"):
        return None
    if scope == "NoReuse":
        seed = pysecrets.token_hex(16)
    else:
        parts = {"TenantReuse": [settings.TENANT_ID],
                 "SubscriptionReuse": [settings.TENANT_ID, settings.SUBSCRIPTION_ID],
                 "ResourceGroupReuse": [settings.TENANT_ID, settings.SUBSCRIPTION_ID, (resource_group or "").lower()]}
        seed = "|".join(parts[scope] + [name.lower()])
    digest = hashlib.sha256(seed.encode()).digest()
    return "".join(_HASH_ALPHABET[b % len(_HASH_ALPHABET)] for b in digest[:16])


def login_server_for(name, scope, resource_group=None):
    label = dnl_hash(name, scope, resource_group)
    return f"{name.lower()}-{label}{LOGIN_SUFFIX}" if label else f"{name.lower()}{LOGIN_SUFFIX}"


def apply(doc, sku, creating, admin_enabled=None, anonymous_pull_enabled=None, public_network_enabled=None,
          default_action=None, allow_trusted_services=None, allow_exports=None, allow_metadata_search=None,
          role_assignment_mode=None, regional_endpoints=None, data_endpoint_enabled=None, endpoint_protocol=None,
          writable_cache_repos=None, tags=None):
    """Sets the named properties on the document the way az fills its request; Azure's checks come later
    (registries.validate) and `sync_endpoints` derives the host names."""
    if admin_enabled is not None:
        doc["adminUserEnabled"] = admin_enabled
    if tags is not None:
        doc["tags"] = tags
    if data_endpoint_enabled is not None:
        doc["dataEndpointEnabled"] = data_endpoint_enabled
    if default_action and creating and sku != "Premium":
        raise ValidationError(NETWORK_RULE_NOT_SUPPORTED)
    if default_action is not None:
        doc["networkRuleSet"] = {"defaultAction": default_action, "ipRules": []}
    if public_network_enabled is not None:
        doc["publicNetworkAccess"] = "Enabled" if public_network_enabled else "Disabled"
        if not public_network_enabled:
            doc["networkRuleSet"] = {"defaultAction": "Deny", "ipRules": []}
            logger.warning("Disabling the public endpoint overrides all firewall configurations.")
    if anonymous_pull_enabled is not None:
        doc["anonymousPullEnabled"] = anonymous_pull_enabled
    if allow_metadata_search is not None:
        doc["metadataSearch"] = "Enabled" if allow_metadata_search else "Disabled"
        _offline("--allow-metadata-search", "metadata search is not served offline")
    if role_assignment_mode is not None:
        doc["roleAssignmentMode"] = ROLE_MODES[role_assignment_mode]
        _offline("--role-assignment-mode", "Azure role assignments are not evaluated offline")
    if regional_endpoints is not None:
        if regional_endpoints == "Enabled" and sku and sku != "Premium":
            raise AzLocalError(REGIONAL_ENDPOINTS_NOT_SUPPORTED)
        doc["regionalEndpoints"] = regional_endpoints
    if endpoint_protocol is not None:
        doc["endpointProtocol"] = endpoint_protocol
        _offline("--endpoint-protocol", "the local registry listens on loopback IPv4 only")
    if writable_cache_repos is not None:
        doc["writableCacheRepos"] = writable_cache_repos
        _offline("--writable-cache-repos", "cache rules are not available offline")
    if allow_trusted_services is not None:
        doc["networkRuleBypassOptions"] = "AzureServices" if allow_trusted_services else "None"
        _offline("--allow-trusted-services", "there are no trusted Azure services offline")
    if allow_exports is not None:
        doc.setdefault("policies", {}).setdefault("exportPolicy", {})["status"] = (
            "enabled" if allow_exports else "disabled")


def _offline(option, reason):
    logger.warning("%s is recorded in the registry's properties; it has no effect offline (%s).", option, reason)


def validate(doc, sku):
    """Azure's checks of these properties on the request's result."""
    if doc.get("regionalEndpoints") == "Enabled":
        if sku != "Premium":
            raise AzLocalError(REGIONAL_ENDPOINTS_NOT_SUPPORTED)
        if ((doc.get("policies") or {}).get("trustPolicy") or {}).get("status") == "enabled":
            raise AzLocalError("Regional endpoints cannot be enabled when Content Trust is enabled.")
    export = ((doc.get("policies") or {}).get("exportPolicy") or {}).get("status")
    if export == "disabled":
        if sku != "Premium":
            raise AzLocalError("(ExportPolicyNotSupported) The export policy can only be disabled on a Premium "
                               "registry.")
        if doc.get("publicNetworkAccess") != "Disabled":
            raise AzLocalError("(InvalidExportPolicy) The export policy can only be disabled when public network "
                               "access is disabled: add --public-network-enabled false.")


def endpoint_names(doc, regions):
    """(dataEndpointHostNames, regionalEndpointHostNames) for a registry served in these regions."""
    label = doc["loginServer"].split(".")[0]
    data = [f"{doc['name'].lower()}.{r}.data.azurecr.io" for r in regions] if doc.get("dataEndpointEnabled") else []
    geo = ([f"{label}.{r}.geo.azurecr.io" for r in regions] if doc.get("regionalEndpoints") == "Enabled"
           else None)
    return data, geo
