"""az containerapp: managed environments, container apps, revisions, and the ingress gateway."""

# lower-cased resource type -> "module:function(doc)": what deleting its group removes outside the store
# (strings, so importing this package imports nothing; see azlocal.platform.cleanup).
CLEANERS = {
    "microsoft.app/managedenvironments": "azlocal.aca.containerapps:cleanup_environment",
    "microsoft.app/containerapps": "azlocal.aca.containerapps:cleanup_app",
}
