"""How a role definition's permissions decide an operation, as Azure RBAC decides it.

An operation string (`Microsoft.KeyVault/vaults/secrets/getSecret/action`) is either a control-plane action,
matched against a permission block's `actions` less its `notActions`, or a data action, matched against
`dataActions` less `notDataActions`; the two never grant each other (Owner's `*` reads no secret). A pattern's
`*` stands for any run of characters, `/` included (`*/read`, `Microsoft.KeyVault/vaults/*`), and every
comparison ignores case. A role permits an operation when one of its blocks does.
"""

import functools
import re

# The operations of these provider paths are data actions (the data planes' own operations); everything else
# is a control-plane action. Key Vault's ARM operations on secrets (`secrets/read`, `secrets/write`) stay control.
_DATA = re.compile(
    r"^microsoft\.keyvault/(vaults|managedhsms)/(secrets|keys|certificates|certificatecas|certificatecontacts|"
    r"keyrotationpolicies|deletedsecrets|deletedkeys|deletedcertificates|storage|rbac|backup|restore)/"
    r"|^microsoft\.containerregistry/registries/(repositories|trustedcollections|quarantinedartifacts|catalog)/"
    r"|^microsoft\.storage/storageaccounts/(blobservices/containers/blobs|fileservices/fileshares/files|"
    r"queueservices/queues/messages|tableservices/tables/entities)/",
    re.IGNORECASE)
_CONTROL = {"microsoft.keyvault/vaults/secrets/read", "microsoft.keyvault/vaults/secrets/write"}


def is_data_action(operation):
    """Whether `operation` is one a data plane performs (so only dataActions can grant it)."""
    lowered = operation.lower()
    return lowered not in _CONTROL and bool(_DATA.match(lowered))


@functools.lru_cache(maxsize=1024)
def _compiled(pattern):
    return re.compile(".*".join(re.escape(part) for part in pattern.split("*")), re.IGNORECASE | re.DOTALL)


def matches(pattern, operation):
    """Whether a permission pattern (`*` wildcards, any case) covers the operation."""
    return bool(_compiled(pattern).fullmatch(operation))


def block_permits(block, operation, data):
    granted, denied = ("dataActions", "notDataActions") if data else ("actions", "notActions")
    return (any(matches(p, operation) for p in block.get(granted) or [])
            and not any(matches(p, operation) for p in block.get(denied) or []))


def permits(definition, operation, data=None):
    """Whether a role definition document permits the operation; `data` None infers the plane from it."""
    data = is_data_action(operation) if data is None else data
    return any(block_permits(b, operation, data) for b in definition.get("permissions") or [])
