"""The Key Vault data plane at https://<vault>.vault.azure.net, served by the daemon (routed by Host/SNI).

The daemon routes a request whose Host is `<vault>.vault.azure.net` here (`is_vault_host`, `handle`);
`serves` tells its TLS listener which such names exist (active vaults of this home). Modules: routes (which
operation a method and path are, the dispatcher), auth (the bearer challenge and the token check), network
(the vault's public access and firewall rules), secrets_api and keys_api (the handlers), bodies (request
bodies), paging (`maxresults`, `$skiptoken`, `nextLink`), errors (Key Vault's JSON error bodies) and service
(the calls into the service layer, azlocal.keyvault.secrets/keys, which authorizes the token's principal).
The daemon keeps nothing between requests; store code runs in the loop's executor.
"""

import re

_VAULT_HOST = re.compile(r"^([a-z0-9-]{3,24})\.vault\.azure\.net$")


def vault_of(host):
    """`myvault.vault.azure.net[:443]` -> "myvault"; None for any other host."""
    m = _VAULT_HOST.match((host or "").split(":")[0].lower().rstrip("."))
    return m.group(1) if m else None


def is_vault_host(host):
    return vault_of(host) is not None


def serves(host):
    """Whether `host` is a vault of this home (the TLS listener refuses other names)."""
    from azlocal.keyvault.dataplane import service

    name = vault_of(host)
    return bool(name) and service.find_vault(name) is not None


async def handle(request):
    from azlocal.keyvault.dataplane.routes import dispatch

    return await dispatch(request, vault_of(request.host))
