"""az keyvault (the vaults): thin handlers over azlocal.keyvault.vaults."""

import sys

from knack.log import get_logger

from azlocal.core.errors import AzLocalError

logger = get_logger(__name__)

_OFFLINE = "recorded only"
DELETE_WARNING = ("Warning! If you have soft-delete protection enabled on this key vault, you will not be able to "
                  "reuse this key vault name until the key vault has been purged from the soft deleted state. Please "
                  "see the following documentation for additional guidance.\n"
                  "https://learn.microsoft.com/azure/key-vault/general/soft-delete-overview")


def _no_hsm(hsm_name, vault_name=None, required=True):
    if hsm_name and vault_name:
        raise AzLocalError("--name/-n and --hsm-name are mutually exclusive.")
    if hsm_name:
        raise AzLocalError(f"Failed to resolve '{hsm_name.lower()}.managedhsm.azure.net' ([Errno -2] Name or service "
                           "not known): azlocal emulates no managed HSMs.")
    if required and not vault_name:
        raise AzLocalError("Please specify --vault-name or --hsm-name.")


def _network_acls(network_acls, ips, vnets, bypass, default_action):
    import json
    import os

    rules = {}
    if network_acls:
        text = open(network_acls).read() if os.path.isfile(network_acls) else network_acls
        try:
            rules = json.loads(text)
        except ValueError as ex:
            raise AzLocalError(f"Failed to parse string as JSON:\n{network_acls}\nError detail: {ex}") from ex
    if not (network_acls or ips or vnets):
        return None
    ip = [*dict.fromkeys([*(rules.get("ip") or []), *(ips or [])])]
    vnet = [*dict.fromkeys([*(rules.get("vnet") or []), *(vnets or [])])]
    if vnet:
        logger.warning("The vault's virtual network rules are %s (there are no virtual networks offline).", _OFFLINE)
    return {"bypass": bypass or "AzureServices", "defaultAction": default_action or "Allow",
            "ipRules": [{"value": v} for v in ip], "virtualNetworkRules": [{"id": v.lower(),
                                                                          "ignoreMissingVnetServiceEndpoint": None}
                                                                         for v in vnet]}


def create(resource_group_name, vault_name=None, hsm_name=None, administrators=None, location=None, sku=None,
           enabled_for_deployment=None, enabled_for_disk_encryption=None, enabled_for_template_deployment=None,
           enable_rbac_authorization=True, enable_purge_protection=None, retention_days=None, network_acls=None,
           network_acls_ips=None, network_acls_vnets=None, bypass=None, default_action=None, no_self_perms=None,
           tags=None, no_wait=False, public_network_access=None, user_identities=None):
    from azlocal.core.common import parse_tags
    from azlocal.keyvault import vaults

    _no_hsm(hsm_name, vault_name)
    acls = _network_acls(network_acls, network_acls_ips, network_acls_vnets, bypass, default_action)
    return vaults.create(resource_group_name, vault_name, location=location, sku=sku,
                         enable_rbac_authorization=enable_rbac_authorization,
                         enable_purge_protection=enable_purge_protection, retention_days=retention_days,
                         enabled_for_deployment=enabled_for_deployment,
                         enabled_for_disk_encryption=enabled_for_disk_encryption,
                         enabled_for_template_deployment=enabled_for_template_deployment, no_self_perms=no_self_perms,
                         public_network_access=public_network_access, bypass=bypass, default_action=default_action,
                         network_acls=acls, tags=parse_tags(tags))


def show(resource_group_name=None, vault_name=None, hsm_name=None):
    from azlocal.keyvault import vaults

    _no_hsm(hsm_name, vault_name)
    return vaults.get(vault_name, resource_group_name)


def list(resource_group_name=None, resource_type=None):
    from azlocal.keyvault import vaults

    if resource_type not in (None, "vault", "hsm"):
        raise AzLocalError(f"Unsupported resource type: {resource_type}")
    found = [] if resource_type == "hsm" else vaults.list_vaults(resource_group_name)
    if resource_group_name:
        return found
    # the subscription's list is ARM's resource list (TrackedResource): no properties
    return [{k: d.get(k) for k in ("id", "location", "name", "resourceGroup", "tags", "type")} for d in found]


def delete(resource_group_name=None, vault_name=None, hsm_name=None, no_wait=False):
    from azlocal.keyvault import vaults

    _no_hsm(hsm_name, vault_name)
    print(DELETE_WARNING, file=sys.stderr)
    vaults.delete(vault_name, resource_group_name)


def purge(vault_name=None, hsm_name=None, location=None, no_wait=False):
    from azlocal.keyvault import vaults

    _no_hsm(hsm_name, vault_name)
    vaults.purge(vault_name, location)


def recover(vault_name=None, hsm_name=None, resource_group_name=None, location=None, no_wait=False):
    from azlocal.keyvault import vaults

    _no_hsm(hsm_name, vault_name)
    return vaults.recover(vault_name, resource_group_name, location)


def list_deleted(resource_type=None):
    from azlocal.keyvault import vaults

    if resource_type not in (None, "vault", "hsm"):
        raise AzLocalError(f"Unsupported resource type: {resource_type}")
    return [] if resource_type == "hsm" else vaults.list_deleted()


def show_deleted(vault_name=None, hsm_name=None, location=None):
    from azlocal.keyvault import vaults

    _no_hsm(hsm_name, vault_name)
    return vaults.show_deleted(vault_name, location)


def update(vault_name, resource_group_name=None, enabled_for_deployment=None, enabled_for_disk_encryption=None,
           enabled_for_template_deployment=None, enable_rbac_authorization=None, enable_purge_protection=None,
           retention_days=None, bypass=None, default_action=None, public_network_access=None, set_=None, add=None,
           remove=None, force_string=False, no_wait=False):
    from azlocal.keyvault import vault_update, vaults

    doc = vaults.get(vault_name, resource_group_name)
    return vault_update.update(doc, enabled_for_deployment=enabled_for_deployment,
                               enabled_for_disk_encryption=enabled_for_disk_encryption,
                               enabled_for_template_deployment=enabled_for_template_deployment,
                               enable_rbac_authorization=enable_rbac_authorization,
                               enable_purge_protection=enable_purge_protection, retention_days=retention_days,
                               bypass=bypass, default_action=default_action,
                               public_network_access=public_network_access, set_=set_, add=add, remove=remove,
                               force_string=force_string)


def _object_id(object_id, spn, upn):
    from azlocal.core import settings

    if object_id:
        return object_id
    if upn and upn.lower() == settings.USER_NAME.lower():
        return settings.USER_OBJECT_ID
    raise AzLocalError("Unable to get object id from principal name.")


def set_policy(vault_name, resource_group_name=None, object_id=None, application_id=None, spn=None, upn=None,
               key_permissions=None, secret_permissions=None, certificate_permissions=None, storage_permissions=None,
               no_wait=False):
    from azlocal.keyvault import vaults

    principal = _object_id(object_id, spn, upn)
    doc = vaults.get(vault_name, resource_group_name)
    return vaults.set_policy(doc, principal, application_id, keys=key_permissions, secrets=secret_permissions,
                             certificates=certificate_permissions, storage=storage_permissions)


def delete_policy(vault_name, resource_group_name=None, object_id=None, application_id=None, spn=None, upn=None,
                  no_wait=False):
    from azlocal.keyvault import vaults

    principal = _object_id(object_id, spn, upn)
    return vaults.delete_policy(vaults.get(vault_name, resource_group_name), principal, application_id)


def check_name(name, resource_type="hsm"):
    """az 2.91's check-name asks about managed HSM names (its only resource type): none is taken here."""
    import re

    if not re.match(r"^[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$", name or "") or "--" in name:
        return {"message": f"The name '{name}' is invalid. A managed HSM's name must be between 3-24 alphanumeric "
                           "characters. The name must begin with a letter, end with a letter or digit, and not "
                           "contain consecutive hyphens.", "nameAvailable": False, "reason": "AccountNameInvalid"}
    return {"message": None, "nameAvailable": True, "reason": None}
