"""az storage account: the commands of one area (accounts): table and arguments; help in _help_accounts.yaml.
Handlers are custom_accounts; behaviour in accounts (and account_options for create/update's settings)."""

from knack.arguments import ArgumentsContext
from knack.commands import CommandGroup

from azlocal.core import helpdata
from azlocal.core.conventions import enum_type, three_state_flag

helpdata.register(__file__, "_help_accounts.yaml")

ACCOUNTS = "azlocal.storage.custom_accounts#{}"

SKUS = ["Premium_LRS", "Premium_ZRS", "PremiumV2_LRS", "PremiumV2_ZRS", "Standard_GRS", "Standard_GZRS",
        "Standard_LRS", "Standard_RAGRS", "Standard_RAGZRS", "Standard_ZRS", "StandardV2_GRS", "StandardV2_GZRS",
        "StandardV2_LRS", "StandardV2_ZRS"]
KINDS = ["BlobStorage", "BlockBlobStorage", "FileStorage", "Storage", "StorageV2"]
KEY_CHOICES = ["key1", "key2", "primary", "secondary"]
_AD = "Azure Active Directory Properties"
_NET = "Network Rule"
_ENC = "Encryption"
_ROUTING = "Routing Preference"
_ALW = "Account Level Immutability"
_SAS = "SAS Policy"
_OFFLINE = " (recorded; not enforced offline)"


def load_commands(loader):
    with CommandGroup(loader, "storage account", ACCOUNTS) as g:
        g.command("check-name", "account_check_name")
        g.command("create", "account_create")
        g.command("show", "account_show")
        g.command("list", "account_list")
        g.command("delete", "account_delete")
        g.command("update", "account_update")
        g.command("show-connection-string", "account_show_connection_string")
        g.command("show-usage", "account_show_usage")
        g.command("keys list", "account_keys_list")
        g.command("keys renew", "account_keys_renew")
        g.command("generate-sas", "account_generate_sas")


def _name(c, required=False, option="--name"):
    c.argument("account_name", options_list=[option, "-n"], required=required, help="The storage account name.")


def _settings(c, update=False):
    """The settings create and update share (update lacks a few of create's)."""
    flag = three_state_flag
    c.argument("sku", enum_type(SKUS), default=None if update else "Standard_RAGRS",
               help="The storage account SKU (redundancy is recorded; data is kept once, in the home).")
    c.argument("access_tier", enum_type(["Cold", "Cool", "Hot", "Premium", "Smart"]),
               help="The access tier for billing a StorageV2 or BlobStorage account (recorded).")
    c.argument("custom_domain", help="A domain of yours, recorded as the account's custom domain (CNAME source).")
    c.argument("https_only", flag(), help="Allow only HTTPS traffic to the storage service (default true).")
    c.argument("allow_blob_public_access", flag(), help="Allow or disallow anonymous access to blobs and "
               "containers of the account (false by default).")
    c.argument("allow_cross_tenant_replication", flag(), options_list=["--allow-cross-tenant-replication", "-r"],
               help="Allow or disallow object replication to an account in another tenant" + _OFFLINE + ".")
    c.argument("allow_shared_key_access", flag(), options_list=["--allow-shared-key-access", "-k"],
               help="Allow requests authorised with an account key (keys, connection strings, SAS). When false, "
               "only --auth-mode login works against the data plane.")
    c.argument("allowed_copy_scope", enum_type(["AAD", "All", "PrivateLink"]),
               help="Restrict copy operations to accounts of this scope" + _OFFLINE + ".")
    c.argument("min_tls_version", enum_type(["TLS1_0", "TLS1_1", "TLS1_2", "TLS1_3"]),
               help="The minimum TLS version of requests to the account (TLS 1.0 and 1.1 become TLS 1.2).")
    c.argument("public_network_access", enum_type(["Disabled", "Enabled", "SecuredByPerimeter"]),
               help="Allow or disallow public network access" + _OFFLINE + ".")
    c.argument("enable_sftp", flag(), help="Enable SFTP (recorded; no SFTP endpoint is served).")
    c.argument("enable_local_user", flag(), help="Enable local users (recorded).")
    c.argument("enable_large_file_share", action="store_true",
               help="Allow file shares of up to 100 TiB (recorded as largeFileSharesState Enabled).")
    c.argument("tags", nargs="*", help="Space-separated tags: key[=value] [key[=value] ...]. Use '' to clear.")
    c.argument("key_expiration_period_in_days", type=int,
               options_list=["--key-expiration-period-in-days", "--key-exp-days"],
               help="Days after which the account keys should be rotated (recorded as the key policy).")
    c.argument("sas_expiration_period", options_list=["--sas-expiration-period", "--sas-exp"], arg_group=_SAS,
               help="The longest validity of a SAS, 'days.hours:minutes:seconds' (recorded).")
    c.argument("sas_expiration_action", enum_type(["Block", "Log"]), arg_group=_SAS,
               options_list=["--sas-expiration-action", "--sas-exp-action"],
               help="What happens to a SAS beyond the SAS expiration period (default Log; recorded).")
    c.argument("assign_identity", action="store_true", arg_group="Identity",
               help="Give the account a system-assigned identity (recorded; no tokens are issued for it).")
    c.argument("identity_type", enum_type(["None", "SystemAssigned", "SystemAssigned,UserAssigned",
                                           "UserAssigned"]), arg_group="Identity",
               help="The identity type of the account (recorded).")
    c.argument("user_identity_id", arg_group="Identity", help="The resource id of a user-assigned identity "
               "(with --identity-type UserAssigned; recorded).")
    c.argument("zones", nargs="+", help="Availability zones of the account (recorded).")
    c.argument("zone_placement_policy", enum_type(["Any", "None"]), help="The zone placement policy (recorded).")
    c.argument("enable_blob_geo_priority_replication", flag(),
               options_list=["--enable-blob-geo-priority-replication", "--blob-geo-sla"],
               help="Prioritise blob geo-replication (recorded).")
    c.argument("publish_ipv6_endpoint", flag(), help="Publish IPv6 endpoints (recorded).")
    # Network rules
    c.argument("bypass", nargs="+", arg_group=_NET, choices=["AzureServices", "Logging", "Metrics", "None"],
               help="Traffic that bypasses the network rules" + _OFFLINE + ".")
    c.argument("default_action", enum_type(["Allow", "Deny"]), arg_group=_NET,
               help="The action when no network rule matches" + _OFFLINE + ".")
    # Encryption
    c.argument("encryption_services", nargs="+", arg_group=_ENC, choices=["blob", "file", "queue", "table"],
               help="The services whose data is encrypted (recorded; always on in Azure).")
    c.argument("encryption_key_source", enum_type(["Microsoft.Keyvault", "Microsoft.Storage"]), arg_group=_ENC,
               help="Where the encryption key comes from (a key vault key is recorded, not used offline).")
    c.argument("encryption_key_name", arg_group=_ENC, help="The name of the key vault key.")
    c.argument("encryption_key_vault", arg_group=_ENC, help="The URI of the key vault.")
    c.argument("encryption_key_version", arg_group=_ENC, help="The version of the key vault key.")
    c.argument("key_vault_user_identity_id", options_list=["--key-vault-user-identity-id", "-u"], arg_group=_ENC,
               help="The user-assigned identity that reads the key vault key (recorded).")
    c.argument("federated_identity_client_id", options_list=["--key-vault-federated-client-id", "-f"],
               arg_group=_ENC, help="The client id of a multi-tenant application for the key (recorded).")
    # Azure Files identity-based authentication
    for dest, help_ in (("enable_files_aadds", "Enable Microsoft Entra Domain Services for SMB"),
                        ("enable_files_aadkerb", "Enable Microsoft Entra Kerberos for SMB"),
                        ("enable_files_adds", "Enable Active Directory Domain Services for SMB")):
        c.argument(dest, flag(), arg_group=_AD, help=help_ + " (recorded; shares mount with keys offline).")
    c.argument("default_share_permission", options_list=["--default-share-permission", "-d"], arg_group=_AD,
               choices=["None", "StorageFileDataSmbShareContributor", "StorageFileDataSmbShareElevatedContributor",
                        "StorageFileDataSmbShareReader"], help="The default share-level permission (recorded).")
    c.argument("enable_smb_oauth", flag(), arg_group=_AD, help="Enable SMB OAuth for managed identities (recorded).")
    for dest, help_ in (("domain_name", "The primary domain"), ("net_bios_domain_name", "The NetBIOS domain name"),
                        ("forest_name", "The Active Directory forest"), ("domain_guid", "The domain GUID"),
                        ("domain_sid", "The domain security identifier"),
                        ("azure_storage_sid", "The security identifier of the account"),
                        ("sam_account_name", "The sAMAccountName of the account")):
        c.argument(dest, arg_group=_AD, help=help_ + " (with --enable-files-adds).")
    c.argument("account_type", enum_type(["Computer", "User"]), arg_group=_AD,
               help="The Active Directory object type of the account.")
    # Routing preference
    c.argument("routing_choice", enum_type(["InternetRouting", "MicrosoftRouting"]), arg_group=_ROUTING,
               help="The network routing preference (recorded).")
    c.argument("publish_microsoft_endpoints", flag(), arg_group=_ROUTING,
               help="Publish Microsoft-routing endpoints (recorded and shown).")
    c.argument("publish_internet_endpoints", flag(), arg_group=_ROUTING,
               help="Publish internet-routing endpoints (recorded and shown).")
    # Account-level immutability
    c.argument("immutability_period_since_creation_in_days", type=int, arg_group=_ALW,
               options_list=["--immutability-period-in-days", "--immutability-period"],
               help="Days a blob stays immutable after its creation (recorded).")
    c.argument("immutability_policy_state", enum_type(["Disabled", "Locked", "Unlocked"]), arg_group=_ALW,
               options_list=["--immutability-state"], help="The state of the immutability policy (recorded).")
    c.argument("allow_protected_append_writes", flag(), arg_group=_ALW,
               options_list=["--allow-protected-append-writes", "--allow-append", "-w"],
               help="Allow appending to protected append blobs (recorded).")


def load_arguments(loader, command):
    if not command.startswith("storage account"):
        return
    with ArgumentsContext(loader, "storage account check-name") as c:
        c.argument("name", options_list=["--name", "-n"], required=True, help="The storage account name.")
    with ArgumentsContext(loader, "storage account create") as c:
        _name(c, required=True)
        c.argument("resource_group_name", required=True)
        _settings(c)
        c.argument("kind", enum_type(KINDS), default="StorageV2", help="The type of the storage account.")
        c.argument("edge_zone", help="The edge zone of the account (recorded).")
        c.argument("enable_hierarchical_namespace", three_state_flag(),
                   options_list=["--enable-hierarchical-namespace", "--hns", "--hierarchical-namespace"],
                   help="Enable the hierarchical namespace of Data Lake Storage Gen2 (recorded).")
        c.argument("enable_nfs_v3", three_state_flag(), help="Enable NFS 3.0 (recorded; needs --hns).")
        c.argument("enable_alw", three_state_flag(), arg_group=_ALW,
                   help="Enable account-level immutability (recorded).")
        c.argument("require_infrastructure_encryption", three_state_flag(), arg_group=_ENC,
                   options_list=["--require-infrastructure-encryption", "-i"],
                   help="A second layer of encryption at rest (recorded).")
        c.argument("encryption_key_type_for_queue", enum_type(["Account", "Service"]), arg_group=_ENC,
                   options_list=["--encryption-key-type-for-queue", "-q"], help="The key type of queue encryption.")
        c.argument("encryption_key_type_for_table", enum_type(["Account", "Service"]), arg_group=_ENC,
                   options_list=["--encryption-key-type-for-table", "-t"], help="The key type of table encryption.")
        c.argument("dns_endpoint_type", enum_type(["AzureDnsZone", "Standard"]),
                   options_list=["--dns-endpoint-type", "--endpoint"],
                   help="The type of endpoint DNS names (recorded; the standard names are served).")
        c.argument("subnet", arg_group=_NET, help="A subnet name or resource id for a network rule" + _OFFLINE + ".")
        c.argument("vnet_name", arg_group=_NET, help="The virtual network of --subnet when it is a name.")
        c.argument("action", arg_group=_NET, help="The action of the virtual network rule (default Allow).")
    with ArgumentsContext(loader, "storage account update") as c:
        _name(c)
        _settings(c, update=True)
        c.argument("use_subdomain", enum_type(["false", "true"]),
                   help="Use indirect CNAME validation for the custom domain (recorded).")
        c.argument("upgrade_to_storagev2", three_state_flag(), help="Upgrade the account to StorageV2.")
        c.argument("yes", options_list=["--yes", "-y"], action="store_true", help="Do not prompt for confirmation.")
    for name in ("show", "delete", "show-connection-string"):
        with ArgumentsContext(loader, f"storage account {name}") as c:
            _name(c)
    with ArgumentsContext(loader, "storage account show") as c:
        c.argument("expand", enum_type(["blobRestoreStatus", "geoReplicationStats"]),
                   help="Expand the blob restore status or geo-replication statistics.")
    with ArgumentsContext(loader, "storage account delete") as c:
        c.argument("yes", options_list=["--yes", "-y"], action="store_true", help="Do not prompt for confirmation.")
    with ArgumentsContext(loader, "storage account show-connection-string") as c:
        c.argument("protocol", enum_type(["http", "https"]), default="https", help="The default endpoint protocol.")
        c.argument("key_name", enum_type(KEY_CHOICES), options_list=["--key"], default="key1",
                   help="The key in the connection string.")
        c.argument("sas_token", help="A SAS token to put in the connection string.")
        for service in ("blob", "file", "queue", "table"):
            c.argument(f"{service}_endpoint", help=f"A custom endpoint for {service}s.")
    with ArgumentsContext(loader, "storage account show-usage") as c:
        c.argument("location", required=True)
    with ArgumentsContext(loader, "storage account keys") as c:
        _name(c, required=True, option="--account-name")
    with ArgumentsContext(loader, "storage account keys list") as c:
        c.argument("expand", enum_type(["kerb"]), options_list=["--expand-key-type"],
                   help="Also list the Kerberos keys (there are none offline).")
    with ArgumentsContext(loader, "storage account keys renew") as c:
        c.argument("key_name", enum_type(KEY_CHOICES), options_list=["--key"], required=True,
                   help="The key to regenerate.")
        c.argument("key_type", enum_type(["kerb"]), help="Regenerate a Kerberos key instead (not offline).")
    _sas_arguments(loader)


def _sas_arguments(loader):
    from azlocal.storage import _params

    with ArgumentsContext(loader, "storage account generate-sas") as c:
        _params.data_plane_arguments(c, "--blob-endpoint", auth_mode=False)
        c.argument("services", required=True, help="The services the SAS reaches: a combination of (b)lob, "
                   "(f)ile, (q)ueue and (t)able.")
        c.argument("resource_types", required=True, help="The resource types the SAS reaches: a combination of "
                   "(s)ervice, (c)ontainer and (o)bject.")
        c.argument("permission", options_list=["--permissions"], required=True,
                   help="The permissions the SAS grants, from (a)dd (c)reate (d)elete (f)ilter (i)set immutability "
                   "(l)ist (p)rocess (r)ead (t)ag (u)pdate (w)rite (x)delete version (y)permanent delete.")
        c.argument("expiry", required=True, help="When the SAS stops being valid, UTC 'YYYY-MM-DDTHH:MMZ'.")
        c.argument("start", help="When the SAS becomes valid, UTC 'YYYY-MM-DDTHH:MMZ' (default: now).")
        c.argument("ip", help="An IP address or range (a-b) the requests must come from.")
        c.argument("protocol", options_list=["--https-only"], action="store_const", const="https",
                   help="Only allow requests made over HTTPS.")
        c.argument("encryption_scope", help="The encryption scope requests with the SAS use.")
