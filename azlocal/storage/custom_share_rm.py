"""az storage share-rm: Azure Files shares through the Microsoft.Storage resource provider (ARM). The same shares
as `az storage share` (azlocal.storage.shares); authorised as ARM calls are (the account must exist in the group),
not with account keys."""

from knack.log import get_logger

logger = get_logger(__name__)

_NOT_FOUND = "The specified share does not exist."


def _account_doc(storage_account, resource_group):
    """The account by name or resource id (`--storage-account` takes either, as az's does); with -g, ARM's 404."""
    from azlocal.storage import accounts

    if storage_account and storage_account.lower().startswith("/subscriptions/"):
        parts = storage_account.strip("/").split("/")
        lowered = [p.lower() for p in parts]
        if "resourcegroups" in lowered:
            resource_group = parts[lowered.index("resourcegroups") + 1]
        storage_account = parts[-1]
    if not storage_account:
        from azlocal.core.errors import ArgumentUsageError

        raise ArgumentUsageError("the following arguments are required: --storage-account/--account-name")
    return accounts.get(storage_account, resource_group)


def _names(ids, storage_account, resource_group, share_name):
    if ids:
        out = []
        for rid in ids:
            parts = rid.strip("/").split("/")
            lowered = [p.lower() for p in parts]
            if "shares" not in lowered or "storageaccounts" not in lowered:
                from azlocal.core.errors import ArgumentUsageError

                raise ArgumentUsageError(f"invalid resource ID: {rid}")
            out.append((parts[lowered.index("storageaccounts") + 1], parts[lowered.index("resourcegroups") + 1],
                        parts[lowered.index("shares") + 1]))
        return out
    if not share_name:
        from azlocal.core.errors import AzLocalError

        raise AzLocalError("(--share-name | --ids) are required")
    return [(storage_account, resource_group, share_name)]


def _each(results):
    return results[0] if len(results) == 1 else results


def _missing():
    from azlocal.core.errors import ResourceNotFound

    return ResourceNotFound(_NOT_FOUND, code="ShareNotFound")


def _load(doc, share_name):
    from azlocal.storage import shares
    from azlocal.storage.storage_errors import StorageError

    try:
        return shares.load(doc["name"], share_name)
    except StorageError as ex:
        raise _missing() from ex


def _settings(access_tier=None, enabled_protocols=None, root_squash=None, paid_bursting_enabled=None,
              paid_bursting_max_bandwidth_mibps=None, paid_bursting_max_iops=None, provisioned_bandwidth_mibps=None,
              provisioned_iops=None):
    values = {"accessTier": access_tier, "protocols": enabled_protocols, "rootSquash": root_squash,
              "paidBurstingEnabled": paid_bursting_enabled,
              "paidBurstingMaxBandwidthMibps": paid_bursting_max_bandwidth_mibps,
              "paidBurstingMaxIops": paid_bursting_max_iops, "provisionedBandwidthMibps": provisioned_bandwidth_mibps,
              "provisionedIops": provisioned_iops}
    if root_squash and enabled_protocols != "NFS":
        logger.warning("--root-squash applies to NFS shares; it is recorded.")
    return {k: v for k, v in values.items() if v is not None}


def _arm_quota(doc, quota):
    from azlocal.core.errors import AzLocalError
    from azlocal.storage import shares

    limit = shares.max_quota(doc["name"])
    if not isinstance(quota, int) and not str(quota).isdigit() or not 1 <= int(quota) <= limit:
        raise AzLocalError(f"(InvalidRequestPropertyValue) The value '{quota}' is not allowed for property "
                           f"shareQuota. It must be between 1 and {limit}.")
    return int(quota)


def share_rm_create(storage_account, share_name, resource_group=None, quota=None, metadata=None, access_tier=None,
                    enabled_protocols=None, root_squash=None, paid_bursting_enabled=None,
                    paid_bursting_max_bandwidth_mibps=None, paid_bursting_max_iops=None,
                    provisioned_bandwidth_mibps=None, provisioned_iops=None):
    from azlocal.core.errors import AzLocalError
    from azlocal.storage import shares
    from azlocal.storage.custom_files import _meta

    doc = _account_doc(storage_account, resource_group)
    extra = _settings(access_tier, enabled_protocols, root_squash, paid_bursting_enabled,
                      paid_bursting_max_bandwidth_mibps, paid_bursting_max_iops, provisioned_bandwidth_mibps,
                      provisioned_iops)
    extra.pop("accessTier", None)
    extra.pop("protocols", None)
    quota = None if quota is None else _arm_quota(doc, quota)
    created = shares.create(doc["name"], share_name, quota=quota, metadata=_meta(metadata),
                            protocols=enabled_protocols, access_tier=access_tier, extra=extra)
    if not created:
        raise AzLocalError("(ShareAlreadyExists) The specified share already exists.")
    return shares.arm_document(doc, share_name)


def share_rm_show(storage_account=None, share_name=None, resource_group=None, ids=None, expand=None, snapshot=None):
    from azlocal.storage import shares
    from azlocal.storage.custom_files import _no_snapshot

    _no_snapshot(snapshot)
    results = []
    for account, group, share in _names(ids, storage_account, resource_group, share_name):
        doc = _account_doc(account, group)
        results.append(shares.arm_document(doc, share, _load(doc, share), stats=bool(expand and "stats" in expand)))
    return _each(results)


def share_rm_list(storage_account, resource_group=None, filter=None, include_deleted=None,  # noqa: A002 - az's name
                  include_snapshot=None, maxpagesize=None, pagination_limit=None, pagination_token=None):
    from azlocal.storage import shares

    doc = _account_doc(storage_account, resource_group)
    rows = [shares.arm_document(doc, name) for name in shares.names(doc["name"])]
    for row in rows:  # a list shows what the service lists: no usage, no lease duration
        row.pop("shareUsageBytes", None)
    return rows[:int(pagination_limit)] if pagination_limit else rows


def share_rm_delete(storage_account=None, share_name=None, resource_group=None, ids=None, include=None,
                    snapshot=None, yes=False):
    from azlocal.core.console import require_confirmation
    from azlocal.storage import shares
    from azlocal.storage.custom_files import _no_snapshot

    _no_snapshot(snapshot)
    names = _names(ids, storage_account, resource_group, share_name)
    require_confirmation("Are you sure you want to perform this operation?", yes)
    for account, group, share in names:
        doc = _account_doc(account, group)
        shares.delete(doc["name"], share)  # ARM's DELETE of a missing share succeeds


def share_rm_exists(account_name=None, share_name=None, resource_group_name=None, ids=None):
    from azlocal.storage import shares

    results = []
    for account, group, share in _names(ids, account_name, resource_group_name, share_name):
        doc = _account_doc(account, group)
        results.append({"exists": shares.exists(doc["name"], share)})
    return _each(results)


def share_rm_stats(account_name=None, share_name=None, resource_group_name=None, ids=None):
    from azlocal.storage import shares

    results = []
    for account, group, share in _names(ids, account_name, resource_group_name, share_name):
        doc = _account_doc(account, group)
        _load(doc, share)
        results.append(shares.usage_bytes(doc["name"], share))
    return _each(results)


def share_rm_update(storage_account=None, share_name=None, resource_group=None, ids=None, quota=None, metadata=None,
                    access_tier=None, root_squash=None, paid_bursting_enabled=None,
                    paid_bursting_max_bandwidth_mibps=None, paid_bursting_max_iops=None,
                    provisioned_bandwidth_mibps=None, provisioned_iops=None, set_=None, add=None, remove=None,
                    force_string=None):
    from azlocal.core import generic_update
    from azlocal.storage import shares
    from azlocal.storage.custom_files import _meta

    results = []
    for account, group, share in _names(ids, storage_account, resource_group, share_name):
        doc = _account_doc(account, group)
        current = shares.arm_document(doc, share, _load(doc, share))
        wanted = generic_update.updated_copy(current, set_, add, remove, bool(force_string),
                                             read_only=("id", "name", "type", "etag"))
        changes = _settings(access_tier, None, root_squash, paid_bursting_enabled, paid_bursting_max_bandwidth_mibps,
                            paid_bursting_max_iops, provisioned_bandwidth_mibps, provisioned_iops)
        with shares.editing(doc["name"], share, share_level=True) as data:
            info = data["share"]
            info["quota"] = _arm_quota(doc, quota if quota is not None else wanted.get("shareQuota", info["quota"]))
            if metadata is not None:
                info["metadata"] = _meta(metadata)
            elif wanted.get("metadata") != current.get("metadata"):
                info["metadata"] = dict(wanted.get("metadata") or {})
            if wanted.get("accessTier") != current.get("accessTier"):
                changes.setdefault("accessTier", wanted.get("accessTier"))
            if changes.get("accessTier") and changes["accessTier"] != info.get("accessTier"):
                info["accessTierChangeTime"] = info["lastModified"]
            info.update(changes)
        results.append(shares.arm_document(doc, share))
    return _each(results)
