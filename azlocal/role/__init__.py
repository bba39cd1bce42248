"""az role: built-in role definitions and role assignments by principal and scope, enforced by the Key Vault
data plane and the registry."""

# lower-cased resource type -> "module:function(doc)": what deleting its group removes outside the store.
CLEANERS = {}
