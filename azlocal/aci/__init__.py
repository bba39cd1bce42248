"""az container: container groups on Docker."""

# lower-cased resource type -> "module:function(doc)": what deleting its group removes outside the store
# (strings, so importing this package imports nothing; see azlocal.platform.cleanup).
CLEANERS = {
    "microsoft.containerinstance/containergroups": "azlocal.aci.containergroups:cleanup",
    "microsoft.containerinstance/containergroupprofiles": "azlocal.aci.profiles:cleanup",
}
