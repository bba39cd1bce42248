"""az containerapp: managed environments, container apps, revisions, and the ingress gateway."""

# lower-cased resource type -> "module:function(doc)": what deleting its group removes outside the store
# (strings, so importing this package imports nothing; see azlocal.platform.cleanup).
CLEANERS = {
    "microsoft.app/managedenvironments": "azlocal.aca.containerapps:cleanup_environment",
    "microsoft.app/containerapps": "azlocal.aca.containerapps:cleanup_app",
    "microsoft.app/jobs": "azlocal.aca.jobs:cleanup_job",
    "microsoft.app/managedenvironments/certificates": "azlocal.aca.certificates:cleanup_certificate",
    "microsoft.app/managedenvironments/managedcertificates": "azlocal.aca.certificates:cleanup_certificate",
    "microsoft.app/managedenvironments/storages": "azlocal.aca.env_storage:cleanup_storage",
    "microsoft.app/managedenvironments/daprcomponents": "azlocal.aca.dapr_components:cleanup_component",
}
