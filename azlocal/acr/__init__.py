"""az acr: registries, their replications, webhooks, tasks and runs, and the registry data plane."""

# lower-cased resource type -> "module:function(doc)": what deleting its group removes outside the store
# (strings, so importing this package imports nothing; see azlocal.platform.cleanup).
CLEANERS = {
    "microsoft.containerregistry/registries": "azlocal.acr.registries:cleanup",
}
