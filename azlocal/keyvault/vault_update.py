"""`az keyvault update`: the flags and the generic --set/--add/--remove on a copy, checked as the service checks
the vault's properties (purge protection only turns on, retention 7-90, RBAC or access policies), then stored."""

from azlocal.core import generic_update
from azlocal.core.errors import ValidationError
from azlocal.keyvault import vaults

READ_ONLY = ("id", "name", "type", "resourceGroup", "systemData", "properties.vaultUri", "properties.tenantId",
             "properties.provisioningState", "properties.hsmPoolResourceId")


def update(doc, *, enabled_for_deployment=None, enabled_for_disk_encryption=None,
           enabled_for_template_deployment=None, enable_rbac_authorization=None, enable_purge_protection=None,
           retention_days=None, bypass=None, default_action=None, public_network_access=None, set_=None, add=None,
           remove=None, force_string=False):
    new = generic_update.updated_copy(doc, set_, add, remove, force_string, read_only=READ_ONLY)
    props = new["properties"]
    current = doc["properties"].get("enablePurgeProtection")
    for key, value in (("enabledForDeployment", enabled_for_deployment),
                       ("enabledForDiskEncryption", enabled_for_disk_encryption),
                       ("enabledForTemplateDeployment", enabled_for_template_deployment),
                       ("enableRbacAuthorization", enable_rbac_authorization),
                       ("publicNetworkAccess", public_network_access)):
        if value is not None:
            props[key] = value
    if enable_purge_protection is not None:
        props["enablePurgeProtection"] = enable_purge_protection
    if props.get("enablePurgeProtection") is False or (current and not props.get("enablePurgeProtection")):
        vaults.check_purge_protection(False, True)
    if retention_days is not None:
        props["softDeleteRetentionInDays"] = vaults.check_retention(retention_days)
    else:
        vaults.check_retention(props.get("softDeleteRetentionInDays"))
    if bypass or default_action:
        acls = props.get("networkAcls") or {"ipRules": [], "virtualNetworkRules": []}
        acls.update({k: v for k, v in (("bypass", bypass), ("defaultAction", default_action)) if v})
        props["networkAcls"] = acls
    if props.get("enableSoftDelete") is False:
        raise ValidationError('(BadRequest) The property "enableSoftDelete" cannot be set to false. Enabling the soft '
                              "delete for a vault is an irreversible action.")
    generic_update.check_tags(new)
    return vaults.save(new)
