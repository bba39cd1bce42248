"""az storage: storage accounts with Azure Files shares and Blob containers, kept as folders in the home,
and the Blob service's REST API served by the daemon at https://<account>.blob.core.windows.net."""

# lower-cased resource type -> "module:function(doc)": what deleting its group removes outside the store.
CLEANERS = {
    "microsoft.storage/storageaccounts": "azlocal.storage.accounts:cleanup",
}
