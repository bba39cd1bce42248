"""az keyvault: vaults with secrets and keys, soft delete, access policies or RBAC, and the vault's data plane
served by the daemon at https://<vault>.vault.azure.net."""

# lower-cased resource type -> "module:function(doc)": what deleting its group removes outside the store.
CLEANERS = {
    "microsoft.keyvault/vaults": "azlocal.keyvault.vaults:cleanup",
}
