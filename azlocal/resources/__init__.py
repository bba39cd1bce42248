"""az group, account, configure, extension, provider, and azlocal's own local commands."""

# Resource groups own nothing outside the store but their resources (whose services clean them).
CLEANERS = {}
