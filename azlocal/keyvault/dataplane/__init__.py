"""The Key Vault data plane at https://<vault>.vault.azure.net, served by the daemon (routed by Host/SNI)."""

import re

from aiohttp import web

_VAULT_HOST = re.compile(r"^([a-z0-9-]{3,24})\.vault\.azure\.net$")


def vault_of(host):
    """`myvault.vault.azure.net[:443]` -> "myvault"; None for any other host."""
    m = _VAULT_HOST.match((host or "").split(":")[0].lower().rstrip("."))
    return m.group(1) if m else None


def is_vault_host(host):
    return vault_of(host) is not None


def serves(host):
    """Whether `host` is a vault of this home (the TLS listener refuses other names)."""
    return False


async def handle(request):
    error = {"code": "NotImplemented", "message": "The vault data plane is not served yet."}
    return web.json_response({"error": error}, status=501)
