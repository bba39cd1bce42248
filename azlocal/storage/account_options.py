"""The settings `az storage account create` and `update` take, applied to the account's document as Azure
records them (the same mapping for both commands; az sends them in the PUT or the PATCH).

Most of them are recorded and shown as Azure shows them. What cannot be real offline (identities, customer
managed keys in a key vault, virtual networks, edge zones, directory services for SMB) is recorded with one
warning that says so. `allowSharedKeyAccess: false` is real: the data plane and the CLI then refuse keys and
connection strings (azlocal.storage.credentials).
"""

import uuid

from knack.log import get_logger

from azlocal.core import arm, settings
from azlocal.core.errors import ArgumentUsageError, ValidationError

logger = get_logger(__name__)

_NOT_OFFLINE = ("{} is recorded on the account; it has no effect offline (azlocal runs no {}).")
_AD_OPTIONS = ("domain_name", "net_bios_domain_name", "forest_name", "domain_guid", "domain_sid",
               "azure_storage_sid", "sam_account_name", "account_type")
_FLAGS = {  # option -> the document property it sets as given
    "access_tier": "accessTier", "allow_blob_public_access": "allowBlobPublicAccess",
    "allow_cross_tenant_replication": "allowCrossTenantReplication",
    "allow_shared_key_access": "allowSharedKeyAccess", "allowed_copy_scope": "allowedCopyScope",
    "https_only": "enableHttpsTrafficOnly", "enable_hierarchical_namespace": "isHnsEnabled",
    "enable_local_user": "isLocalUserEnabled", "enable_sftp": "isSftpEnabled", "enable_nfs_v3": "enableNfsV3",
    "public_network_access": "publicNetworkAccess", "dns_endpoint_type": "dnsEndpointType", "zones": "zones",
}


def _warn(what, missing):
    logger.warning(_NOT_OFFLINE.format(what, missing))


def apply(doc, opts, *, creating):
    """Applies the given (non-None) options to the document in place; raises az's usage errors first."""
    opts = {k: v for k, v in opts.items() if v is not None}
    _check(opts)
    now = arm.utc_now()
    for option, prop in _FLAGS.items():
        if option in opts:
            doc[prop] = opts[option]
    if "min_tls_version" in opts:
        version = opts["min_tls_version"]
        if version in ("TLS1_0", "TLS1_1"):
            logger.warning("TLS 1.0 and TLS 1.1 have been retired on 2026/02/03, will use TLS 1.2 instead.")
            version = "TLS1_2"
        doc["minimumTlsVersion"] = version
    if "custom_domain" in opts or "use_subdomain" in opts:
        domain = dict(doc.get("customDomain") or {"name": None, "useSubDomainName": None})
        if "custom_domain" in opts:
            domain["name"] = opts["custom_domain"] or None
        if "use_subdomain" in opts:
            domain["useSubDomainName"] = opts["use_subdomain"] in (True, "true")
        doc["customDomain"] = domain if domain["name"] else None
    if opts.get("enable_large_file_share"):
        doc["largeFileSharesState"] = "Enabled"
    if opts.get("upgrade_to_storagev2"):
        doc["kind"] = "StorageV2"
        doc["accessTier"] = doc.get("accessTier") or "Hot"
    if "sku" in opts:
        doc["sku"] = {"name": opts["sku"], "tier": "Premium" if opts["sku"].startswith("Premium") else "Standard"}
    if "tags" in opts:
        doc["tags"] = opts["tags"]
    _identity(doc, opts)
    _encryption(doc, opts, now)
    _network(doc, opts)
    _files_auth(doc, opts)
    _policies(doc, opts)
    _routing(doc, opts)
    if "edge_zone" in opts:
        _warn("--edge-zone", "edge zones")
        doc["extendedLocation"] = {"name": opts["edge_zone"], "type": "EdgeZone"}
    if "zone_placement_policy" in opts:
        doc["placement"] = {"zonePlacementPolicy": opts["zone_placement_policy"]}
    if "enable_blob_geo_priority_replication" in opts:
        doc["geoPriorityReplicationStatus"] = {"isBlobEnabled": opts["enable_blob_geo_priority_replication"]}
    if "publish_ipv6_endpoint" in opts:
        doc["dualStackEndpointPreference"] = {"publishIpv6Endpoint": opts["publish_ipv6_endpoint"]}
    return doc


def _check(opts):
    if "bypass" in opts and "default_action" not in opts:
        raise ValidationError("incorrect usage: --default-action ACTION [--bypass SERVICE ...]")
    if "sas_expiration_action" in opts and "sas_expiration_period" not in opts:
        raise ValidationError("--sas-expiration-action can only be specified together with --sas-expiration-period")
    if "subnet" in opts and not str(opts["subnet"]).lower().startswith("/subscriptions/"):
        if not opts.get("vnet_name"):
            raise ValidationError(f"Expected fully qualified resource ID: got '{opts['subnet']}'")
    if opts.get("enable_files_adds") is True and not all(opts.get(k) for k in _AD_OPTIONS[:6]):
        raise ValidationError("To enable ActiveDirectoryDomainServicesForFile, user must specify all of: "
                              "--domain-name, --net-bios-domain-name, --forest-name, --domain-guid, --domain-sid and "
                              "--azure_storage_sid arguments in Azure Active Directory Properties Argument group.")
    if opts.get("enable_files_adds") is False and any(opts.get(k) for k in _AD_OPTIONS[:6]):
        raise ValidationError("To disable ActiveDirectoryDomainServicesForFile, user can't specify any of: "
                              "--domain-name, --net-bios-domain-name, --forest-name, --domain-guid, --domain-sid and "
                              "--azure_storage_sid arguments in Azure Active Directory Properties Argument group.")
    period = opts.get("key_expiration_period_in_days")
    if period is not None and not 1 <= int(period) <= 36500:
        raise ArgumentUsageError("--key-expiration-period-in-days must be between 1 and 36500.")


def _identity(doc, opts):
    kind = "SystemAssigned" if opts.get("assign_identity") else opts.get("identity_type")
    if not kind:
        return
    _warn("The managed identity", "Microsoft Entra token issuer for storage accounts")
    identity = {"principalId": None, "tenantId": None, "type": kind, "userAssignedIdentities": None}
    if "SystemAssigned" in kind:
        old = doc.get("identity") or {}
        identity["principalId"] = old.get("principalId") or str(uuid.uuid4())
        identity["tenantId"] = settings.TENANT_ID
    if "UserAssigned" in kind and opts.get("user_identity_id"):
        identity["userAssignedIdentities"] = {opts["user_identity_id"]: {"clientId": str(uuid.uuid4()),
                                                                          "principalId": str(uuid.uuid4())}}
    doc["identity"] = None if kind == "None" else identity


def _service(now, key_type="Account"):
    return {"enabled": True, "keyType": key_type, "lastEnabledTime": now}


def _encryption(doc, opts, now):
    enc = doc["encryption"]
    services = enc["services"]
    for name in opts.get("encryption_services") or ():
        services[name] = services.get(name) or _service(now)
    for name in ("queue", "table"):
        key_type = opts.get(f"encryption_key_type_for_{name}")
        if key_type:
            services[name] = _service(now, key_type)
    if "encryption_key_source" in opts:
        enc["keySource"] = opts["encryption_key_source"]
    if enc["keySource"] == "Microsoft.Keyvault":
        if any(k in opts for k in ("encryption_key_source", "encryption_key_name", "encryption_key_vault",
                                   "encryption_key_version")):
            _warn("The customer-managed key", "key vault; data is kept unencrypted in the home")
            vault = dict(enc.get("keyVaultProperties") or {})
            vault.update({"keyName": opts.get("encryption_key_name", vault.get("keyName")),
                          "keyVaultUri": opts.get("encryption_key_vault", vault.get("keyVaultUri")),
                          "keyVersion": opts.get("encryption_key_version", vault.get("keyVersion")),
                          "currentVersionedKeyExpirationTimestamp": None, "currentVersionedKeyIdentifier": None,
                          "lastKeyRotationTimestamp": None})
            enc["keyVaultProperties"] = vault
    elif "encryption_key_source" in opts:
        enc["keyVaultProperties"] = None
    if "key_vault_user_identity_id" in opts or "federated_identity_client_id" in opts:
        enc["encryptionIdentity"] = {
            "encryptionFederatedIdentityClientId": opts.get("federated_identity_client_id"),
            "encryptionUserAssignedIdentity": opts.get("key_vault_user_identity_id")}
    if opts.get("require_infrastructure_encryption"):
        enc["requireInfrastructureEncryption"] = True


def _network(doc, opts):
    if not any(k in opts for k in ("bypass", "default_action", "subnet")):
        return
    rules = doc["networkRuleSet"]
    if "bypass" in opts:
        rules["bypass"] = ", ".join(opts["bypass"])
    if "default_action" in opts:
        rules["defaultAction"] = opts["default_action"]
        if opts["default_action"] == "Deny":
            _warn("--default-action Deny", "network firewall for storage endpoints")
    if "subnet" in opts:
        _warn("--subnet", "virtual networks")
        subnet = opts["subnet"]
        if not subnet.lower().startswith("/subscriptions/"):
            group = doc["id"].split("/")[4]
            subnet = (f"{arm.group_id(group)}/providers/Microsoft.Network/virtualNetworks/{opts['vnet_name']}"
                      f"/subnets/{subnet}")
        rules["virtualNetworkRules"] = [{"action": opts.get("action") or "Allow", "state": "Succeeded",
                                         "virtualNetworkResourceId": subnet}]


def _files_auth(doc, opts):
    keys = ("enable_files_aadds", "enable_files_aadkerb", "enable_files_adds", "default_share_permission",
            "enable_smb_oauth")
    if not any(k in opts for k in keys):
        return
    _warn("Identity-based access for Azure Files", "directory service; shares are mounted with account keys")
    auth = dict(doc.get("azureFilesIdentityBasedAuthentication") or {
        "activeDirectoryProperties": None, "defaultSharePermission": None, "directoryServiceOptions": "None",
        "smbOAuthSettings": None})
    if "enable_files_aadds" in opts:
        auth["directoryServiceOptions"] = "AADDS" if opts["enable_files_aadds"] else "None"
    if "enable_files_aadkerb" in opts:
        auth["directoryServiceOptions"] = "AADKERB" if opts["enable_files_aadkerb"] else "None"
        if opts["enable_files_aadkerb"] and (opts.get("domain_name") or opts.get("domain_guid")):
            auth["activeDirectoryProperties"] = _ad_properties(opts)
    if "enable_files_adds" in opts:
        auth["directoryServiceOptions"] = "AD" if opts["enable_files_adds"] else "None"
        auth["activeDirectoryProperties"] = _ad_properties(opts) if opts["enable_files_adds"] else None
    if "default_share_permission" in opts:
        auth["defaultSharePermission"] = opts["default_share_permission"]
    if "enable_smb_oauth" in opts:
        auth["smbOAuthSettings"] = {"isSmbOAuthEnabled": opts["enable_smb_oauth"]}
    doc["azureFilesIdentityBasedAuthentication"] = auth


def _ad_properties(opts):
    names = {"domain_name": "domainName", "net_bios_domain_name": "netBiosDomainName", "forest_name": "forestName",
             "domain_guid": "domainGuid", "domain_sid": "domainSid", "azure_storage_sid": "azureStorageSid",
             "sam_account_name": "samAccountName", "account_type": "accountType"}
    return {prop: opts.get(option) for option, prop in names.items()}


def _policies(doc, opts):
    if "key_expiration_period_in_days" in opts:
        doc["keyPolicy"] = {"keyExpirationPeriodInDays": int(opts["key_expiration_period_in_days"])}
    if "sas_expiration_period" in opts:
        doc["sasPolicy"] = {"expirationAction": opts.get("sas_expiration_action") or "Log",
                            "sasExpirationPeriod": opts["sas_expiration_period"]}
    immutability = ("immutability_period_since_creation_in_days", "immutability_policy_state",
                    "allow_protected_append_writes")
    if "enable_alw" in opts or any(k in opts for k in immutability):
        alw = dict(doc.get("immutableStorageWithVersioning") or {"enabled": None, "immutabilityPolicy": None})
        if "enable_alw" in opts:
            alw["enabled"] = opts["enable_alw"]
        if any(k in opts for k in immutability):
            policy = dict(alw.get("immutabilityPolicy") or {})
            policy.update({"allowProtectedAppendWrites": opts.get("allow_protected_append_writes"),
                           "immutabilityPeriodSinceCreationInDays":
                               opts.get("immutability_period_since_creation_in_days"),
                           "state": opts.get("immutability_policy_state")})
            alw["immutabilityPolicy"] = policy
        doc["immutableStorageWithVersioning"] = alw


def _routing(doc, opts):
    keys = ("routing_choice", "publish_microsoft_endpoints", "publish_internet_endpoints")
    if not any(k in opts for k in keys):
        return
    routing = dict(doc.get("routingPreference") or {"publishInternetEndpoints": None,
                                                    "publishMicrosoftEndpoints": None, "routingChoice": None})
    for option, prop in zip(keys, ("routingChoice", "publishMicrosoftEndpoints", "publishInternetEndpoints")):
        if option in opts:
            routing[prop] = opts[option]
    doc["routingPreference"] = routing
    name = doc["name"]
    ends = doc["primaryEndpoints"]
    for flag, key, infix in (("publishMicrosoftEndpoints", "microsoftEndpoints", "microsoft"),
                             ("publishInternetEndpoints", "internetEndpoints", "internet")):
        services = ("blob", "dfs", "file", "web") + (("queue", "table") if infix == "microsoft" else ())
        ends[key] = ({s: f"https://{name}-{infix}.{s}.core.windows.net/" for s in services}
                     if routing[flag] else None)
