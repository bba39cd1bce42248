"""az role: built-in and custom role definitions, role and deny assignments by principal and scope, enforced by
the Key Vault data plane and the registry through azlocal.role.assignments.allowed; and the few `az ad` commands
role assignments need (the signed-in user, service principals with passwords), as azure-cli keeps them beside
`az role`.

Assignments and deny assignments are rows under their scope (`<scope>/providers/Microsoft.Authorization/...`),
indexed by the scope's resource group: deleting a group removes the ones at or under it with the group's rows,
and a service that deletes a resource with `store.delete_children` removes the ones on that resource. Nothing
of theirs lives outside the store, so no cleaner is needed."""

# lower-cased resource type -> "module:function(doc)": what deleting its group removes outside the store.
CLEANERS = {}
