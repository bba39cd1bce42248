"""az storage account: thin handlers over azlocal.storage.accounts."""

from knack.log import get_logger

logger = get_logger(__name__)

_KEY_OPTIONS = {"primary": "key1", "secondary": "key2", "key1": "key1", "key2": "key2"}


def _key_name(key_name):
    if key_name in ("primary", "secondary"):
        logger.warning("The 'primary' and 'secondary' options for --key are deprecated and will be removed in "
                       "future release, please use 'key1' and 'key2' instead.")
    return _KEY_OPTIONS[key_name]


def _names(ids, resource_group_name, account_name):
    """[(group, name)] from --ids or from -g/-n (az: one of them is needed)."""
    from azlocal.core.errors import ArgumentUsageError, AzLocalError

    if ids:
        out = []
        for rid in ids:
            parts = rid.strip("/").split("/")
            lowered = [p.lower() for p in parts]
            if "resourcegroups" not in lowered or "storageaccounts" not in lowered:
                raise ArgumentUsageError(f"invalid resource ID: {rid}")
            out.append((parts[lowered.index("resourcegroups") + 1], parts[lowered.index("storageaccounts") + 1]))
        return out
    if not account_name:
        raise AzLocalError("(--name | --ids) are required")  # as az, with or without -g
    return [(resource_group_name, account_name)]


def _each(results):
    return results[0] if len(results) == 1 else results


def account_check_name(name):
    from azlocal.storage import accounts

    return accounts.check_name_availability(name)


def account_create(resource_group_name, account_name, location=None, sku="Standard_RAGRS", kind="StorageV2",
                   tags=None, custom_domain=None, encryption_services=None, encryption_key_source=None,
                   encryption_key_name=None, encryption_key_vault=None, encryption_key_version=None,
                   access_tier=None, https_only=None, enable_sftp=None, enable_local_user=None,
                   enable_files_aadkerb=None, enable_files_aadds=None, bypass=None, default_action=None,
                   assign_identity=False, enable_large_file_share=None, enable_files_adds=None, domain_name=None,
                   net_bios_domain_name=None, forest_name=None, domain_guid=None, domain_sid=None,
                   sam_account_name=None, account_type=None, azure_storage_sid=None,
                   enable_hierarchical_namespace=None, encryption_key_type_for_table=None,
                   encryption_key_type_for_queue=None, routing_choice=None, publish_microsoft_endpoints=None,
                   publish_internet_endpoints=None, require_infrastructure_encryption=None,
                   allow_blob_public_access=None, min_tls_version=None, allow_shared_key_access=None,
                   edge_zone=None, identity_type=None, user_identity_id=None, key_vault_user_identity_id=None,
                   federated_identity_client_id=None, sas_expiration_action=None, sas_expiration_period=None,
                   key_expiration_period_in_days=None, allow_cross_tenant_replication=None,
                   default_share_permission=None, enable_nfs_v3=None, subnet=None, vnet_name=None, action=None,
                   enable_alw=None, immutability_period_since_creation_in_days=None, immutability_policy_state=None,
                   allow_protected_append_writes=None, public_network_access=None, dns_endpoint_type=None,
                   enable_smb_oauth=None, zones=None, zone_placement_policy=None,
                   enable_blob_geo_priority_replication=None, publish_ipv6_endpoint=None, allowed_copy_scope=None):
    from azlocal.core.common import parse_tags
    from azlocal.storage import accounts

    options = dict(locals())
    for key in ("resource_group_name", "account_name", "location", "sku", "kind", "tags"):
        options.pop(key)
    return accounts.create(resource_group_name, account_name, location=location, sku=sku, kind=kind,
                           tags=parse_tags(tags), options=options)


def account_update(resource_group_name=None, account_name=None, ids=None, sku=None, tags=None, custom_domain=None,
                   use_subdomain=None, encryption_services=None, encryption_key_source=None,
                   encryption_key_version=None, encryption_key_name=None, encryption_key_vault=None,
                   enable_files_aadkerb=None, access_tier=None, https_only=None, enable_sftp=None,
                   enable_local_user=None, enable_files_aadds=None, assign_identity=False, bypass=None,
                   default_action=None, enable_large_file_share=None, enable_files_adds=None, domain_name=None,
                   net_bios_domain_name=None, forest_name=None, domain_guid=None, domain_sid=None,
                   azure_storage_sid=None, sam_account_name=None, account_type=None, routing_choice=None,
                   publish_microsoft_endpoints=None, publish_internet_endpoints=None, allow_blob_public_access=None,
                   min_tls_version=None, allow_shared_key_access=None, identity_type=None, user_identity_id=None,
                   key_vault_user_identity_id=None, federated_identity_client_id=None, sas_expiration_action=None,
                   sas_expiration_period=None, key_expiration_period_in_days=None,
                   allow_cross_tenant_replication=None, default_share_permission=None,
                   immutability_period_since_creation_in_days=None, immutability_policy_state=None,
                   allow_protected_append_writes=None, public_network_access=None, upgrade_to_storagev2=None,
                   yes=False, enable_smb_oauth=None, zones=None, zone_placement_policy=None,
                   enable_blob_geo_priority_replication=None, publish_ipv6_endpoint=None, allowed_copy_scope=None,
                   set_=None, add=None, remove=None, force_string=False):
    from azlocal.core.common import parse_tags
    from azlocal.storage import accounts

    options = dict(locals())
    for key in ("resource_group_name", "account_name", "ids", "yes", "set_", "add", "remove", "force_string"):
        options.pop(key)
    options["tags"] = parse_tags(tags)
    return _each([accounts.update(group, name, options=options, set_=set_, add=add, remove=remove,
                                  force_string=force_string)
                  for group, name in _names(ids, resource_group_name, account_name)])


def account_show(resource_group_name=None, account_name=None, ids=None, expand=None):
    from azlocal.storage import accounts

    return _each([accounts.with_expand(accounts.get(name, group), expand)
                  for group, name in _names(ids, resource_group_name, account_name)])


def account_list(resource_group_name=None):
    from azlocal.storage import accounts

    return accounts.list_accounts(resource_group_name)


def account_delete(resource_group_name=None, account_name=None, ids=None, yes=False):
    from azlocal.core.console import require_confirmation
    from azlocal.storage import accounts

    names = _names(ids, resource_group_name, account_name)
    require_confirmation("Are you sure you want to perform this operation?", yes)
    for group, name in names:
        accounts.delete(group, name)


def account_show_connection_string(resource_group_name=None, account_name=None, ids=None, protocol="https",
                                   blob_endpoint=None, file_endpoint=None, queue_endpoint=None, table_endpoint=None,
                                   sas_token=None, key_name="key1"):
    from azlocal.storage import accounts

    key_name = _key_name(key_name)
    overrides = {"blob": blob_endpoint, "file": file_endpoint, "queue": queue_endpoint, "table": table_endpoint}
    return _each([accounts.show_connection_string(group, name, protocol=protocol, key_name=key_name,
                                                  sas_token=sas_token, overrides=overrides)
                  for group, name in _names(ids, resource_group_name, account_name)])


def account_show_usage(location):
    from azlocal.storage import accounts

    return accounts.usage(location)


def account_keys_list(account_name, resource_group_name=None, expand=None):
    from azlocal.storage import accounts

    if expand:
        logger.warning("There are no Kerberos keys offline: --expand-key-type kerb lists the access keys only.")
    return accounts.keys(resource_group_name, account_name)


def account_keys_renew(account_name, key_name, resource_group_name=None, key_type=None):
    from azlocal.core.errors import ValidationError
    from azlocal.storage import accounts

    if key_type:
        raise ValidationError("--key-type kerb is not available offline: azlocal has no Kerberos keys for Azure "
                              "Files (no directory service).")
    return accounts.renew(resource_group_name, account_name, _key_name(key_name))


def account_generate_sas(services, resource_types, permission, expiry, start=None, ip=None, protocol=None,
                         encryption_scope=None, account_name=None, account_key=None, connection_string=None,
                         account_url=None, ids=None):
    """An account SAS signed locally with the account's key, as az signs it (the key is not checked here: a
    wrong one makes a token the service refuses, as in Azure)."""
    from azlocal.core.errors import ValidationError
    from azlocal.storage import accounts, credentials, sas

    if ids:
        account_name = _names(ids, None, None)[0][1]
    connection_string = connection_string or (None if account_name or account_key else
                                              credentials._config("connection_string"))
    if connection_string:
        parts = credentials.parse_connection_string(connection_string)
        account_name, account_key = parts.get("AccountName"), parts.get("AccountKey")
    account_name = account_name or credentials._config("account") or credentials.account_from_endpoint(account_url)
    account_key = account_key or (None if connection_string else credentials._config("key"))
    if account_name and not account_key and accounts.find(account_name) is not None:
        account_key = (accounts.key_values(account_name) or [None])[0]
    if not account_name or not account_key:
        raise ValidationError(_SAS_CREDENTIALS)
    for value, allowed, what in ((services, "bfqt", "services"), (resource_types, "sco", "resource types")):
        if not value or any(ch not in allowed for ch in value):
            raise ValidationError(f"valid values for --{what.replace(' ', '-')} are the letters of "
                                  f"'{allowed}', e.g. '{allowed[:2]}'")
    return sas.generate_account(account_name, account_key, services=_ordered(services, "bfqt"),
                                resource_types=_ordered(resource_types, "sco"), permission=permission, expiry=expiry,
                                start=start, ip=ip, protocol=protocol, encryption_scope=encryption_scope)


def _ordered(value, order):
    return "".join(ch for ch in order if ch in value)


_SAS_CREDENTIALS = """
        Missing/Invalid credentials to access storage service. The following variations are accepted:
            (1) account name and key (--account-name and --account-key options or
                set AZURE_STORAGE_ACCOUNT and AZURE_STORAGE_KEY environment variables)
            (2) account name (--account-name option or AZURE_STORAGE_ACCOUNT environment variable;
                this will make calls to query for a storage account key using login credentials)
            (3) connection string (--connection-string option or
                set AZURE_STORAGE_CONNECTION_STRING environment variable); some shells will require
                quoting to preserve literal character interpretation.
        """
