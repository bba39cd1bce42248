"""Managed identities: user-assigned identities (`az identity …`), the principals of system-assigned ones, and the
token issuer that serves both inside containers (see tokens, and the daemon's token endpoints)."""

# lower-cased resource type -> "module:function(doc)": what deleting its group removes outside the store.
CLEANERS = {}
