"""`az acr config …`: the registry's policies (`policies` in its document, ARM's shapes): retention of untagged
manifests and content trust (Premium), soft delete, and Azure AD authentication-as-ARM.

The retention policy is applied by the daemon (`retention.sweep`); the soft delete policy by the data plane,
whose view of the registry (built from its document) carries it; content trust and authentication-as-ARM
are recorded and shown.
"""

import json

from knack.log import get_logger

from azlocal.acr import registries, replication_records
from azlocal.core import arm
from azlocal.core.errors import AzLocalError
from azlocal.platform.store import store

logger = get_logger(__name__)

POLICIES_NOT_SUPPORTED = "Policies are only supported for managed registries in Premium SKU."
AS_ARM = "azureAdAuthenticationAsArmPolicy"
TRUST_WARNING = (
    "Content Trust is being deprecated and will be completely removed on March 31, 2028. It cannot be enabled "
    "once disabled. Please submit a support ticket if you wish to disable and subsequently re-enable this feature. "
    "When disabled, your images will remain in the registry, but all your signatures will be deleted permanently. "
    "Are you sure you want to disable content trust?")
SOFT_DELETE_DISABLE_WARNING = (
    "Disabling soft-delete does not affect purge behavior for previously deleted artifacts. Artifacts currently in "
    "a soft-deleted state will continue to be purged in accordance with the current soft-delete retention days "
    "policy.")
SOFT_DELETE_SHORTER = (
    "Soft-delete purge scheduling is determined by a registry's current soft-delete retention days policy at the "
    "time of purge. By reducing the retention days policy, you are changing the scheduled purge date of previously "
    "deleted artifacts. In doing so, you may be scheduling some artifacts in a soft-deleted state for immediate "
    "purge. Do you wish to proceed?")
GEO_REPLICATED = ("(InvalidPolicy) The soft delete policy is not supported on a geo-replicated registry: delete its "
                  "replications first.")
BOTH_POLICIES = ("(InvalidPolicy) The retention policy and the soft delete policy cannot be enabled at the same "
                 "time on a registry: disable one before enabling the other.")


def policies(doc):
    return doc.get("policies") or {}


def _premium(name, resource_group=None):
    doc = registries.get(name, resource_group)
    if doc["sku"]["name"] != "Premium":
        raise AzLocalError(POLICIES_NOT_SUPPORTED)
    return doc


def _update(name, resource_group, key, change):
    """Applies `change(policy, doc)` to a copy of the registry's policy `key` and stores the document (in
    one transaction); returns the policy as stored."""
    s = store()
    with s.transaction():
        doc = registries.get(name, resource_group)
        new = json.loads(json.dumps(doc))
        policy = new.setdefault("policies", {}).setdefault(key, {})
        change(policy, new)
        now = arm.utc_now()
        if key in ("retentionPolicy", "softDeletePolicy"):
            policy["lastUpdatedTime"] = now
        new.setdefault("systemData", {})["lastModifiedAt"] = now
        s.put(new)
    return policy


def soft_delete_enabled(doc):
    """Whether the registry's deletes go to the trash (what the data plane's view of it carries)."""
    return (policies(doc).get("softDeletePolicy") or {}).get("status") == "enabled"


# Content trust ----------------------------------------------------------------------------------

def content_trust_show(name, resource_group=None):
    return policies(_premium(name, resource_group)).get("trustPolicy") or {}


def content_trust_check(name, resource_group=None):
    """Before the confirmation: only a Premium registry has the policy."""
    _premium(name, resource_group)


def content_trust_update(name, status=None, resource_group=None):
    _premium(name, resource_group)

    def change(policy, _doc):
        if status:
            policy["status"] = status
            policy.setdefault("type", "Notary")

    return _update(name, resource_group, "trustPolicy", change)


# Retention --------------------------------------------------------------------------------------

def retention_show(name, resource_group=None):
    return policies(_premium(name, resource_group)).get("retentionPolicy")


def check_retention_days(days):
    if days and (days < 0 or days > 365):
        raise AzLocalError("Invalid value for days: should be from 0 to 365")


def retention_update(name, status=None, days=None, resource_group=None):
    check_retention_days(days)
    _premium(name, resource_group)

    def change(policy, doc):
        if status == "enabled" and policy.get("status") != "enabled":
            if (policies(doc).get("softDeletePolicy") or {}).get("status") == "enabled":
                raise AzLocalError(BOTH_POLICIES)
            from azlocal.acr.dataplane.storage import now

            store().set_value(f"acr-retention-since/{doc['name'].lower()}", now())
        if status:
            policy["status"] = status
        if days is not None:
            policy["days"] = days

    return _update(name, resource_group, "retentionPolicy", change)


def retention_since(name):
    """When the registry's retention policy was last enabled (it applies to manifests untagged after)."""
    return store().get_value(f"acr-retention-since/{name.lower()}")


# Soft delete ------------------------------------------------------------------------------------

def soft_delete_show(name):
    return policies(registries.get(name)).get("softDeletePolicy")


def soft_delete_update(name, status=None, days=None, confirm=None):
    """`confirm(question)` is asked when the retention days get shorter (the command layer prompts)."""
    if days is not None and not 1 <= days <= 90:
        raise AzLocalError("(InvalidParameter) The soft delete retention days must be between 1 and 90.")
    doc = registries.get(name)
    current = policies(doc).get("softDeletePolicy") or {}
    if status == "enabled" and current.get("status") != "enabled" and \
            (policies(doc).get("retentionPolicy") or {}).get("status") == "enabled":
        raise AzLocalError(BOTH_POLICIES)
    if status == "enabled" and current.get("status") != "enabled" and replication_records.others(doc):
        raise AzLocalError(GEO_REPLICATED)
    if status == "disabled" and current.get("status") == "enabled":
        logger.warning(SOFT_DELETE_DISABLE_WARNING)
    if days is not None and current.get("retentionDays", 7) > days and confirm:
        confirm(SOFT_DELETE_SHORTER)

    def change(policy, _doc):
        if status:
            policy["status"] = status
        if days is not None:
            policy["retentionDays"] = days
        policy.setdefault("retentionDays", 7)

    return _update(name, None, "softDeletePolicy", change)


def soft_delete_days(name):
    """The soft delete retention days of a registry (az adds them to a deletion time for `expiresAfter`)."""
    policy = policies(registries.get(name)).get("softDeletePolicy")
    if policy is None:
        raise AzLocalError(f"Unable to retrieve soft-delete retention day policy for registry {name}")
    return policy.get("retentionDays", 7)


# Authentication as ARM ---------------------------------------------------------------------------

def authentication_as_arm_show(name, resource_group=None):
    try:
        doc = registries.get(name, resource_group)
    except AzLocalError:
        return {}
    return policies(doc).get(AS_ARM) or {}


def authentication_as_arm_update(name, status=None, resource_group=None):
    registries.get(name, resource_group)

    def change(policy, _doc):
        if status:
            policy["status"] = status

    return _update(name, resource_group, AS_ARM, change)  # the registry's AAD exchange follows it (dataplane/aad)
