"""The data-plane commands' targets as az resolves them: `--vault-name` and `--name` [`--version`], or `--id`
(https://<vault>.vault.azure.net/<secrets|keys>/<name>[/<version>]), never both; `--hsm-name` names a managed HSM,
which azlocal does not emulate (its host does not resolve, as an unknown one does not)."""

from urllib.parse import urlparse

from azlocal.core.errors import AzLocalError

USAGE = "incorrect usage: --id ID | --vault-name/--hsm-name VAULT/HSM --name/-n NAME [--version VERSION]"


def _hsm(hsm_name):
    if hsm_name:
        raise AzLocalError(f"Failed to resolve '{hsm_name.lower()}.managedhsm.azure.net' ([Errno -2] Name or service "
                           "not known): azlocal emulates no managed HSMs.")


def vault_of_url(url):
    host = urlparse(url if "://" in url else f"https://{url}").hostname or ""
    return host.split(".")[0] if host.endswith(".vault.azure.net") else None


def parse_id(identifier):
    """(vault name, collection, name, version or None) of an object id; az's error for a malformed one."""
    parsed = urlparse(identifier or "")
    parts = [p for p in parsed.path.split("/") if p]
    vault = vault_of_url(identifier or "")
    if parsed.scheme != "https" or not vault or len(parts) < 2 or len(parts) > 3:
        raise AzLocalError(f"'{identifier}' is not a valid ID")
    return vault, parts[0], parts[1], parts[2] if len(parts) == 3 else None


def reachable(vault_name):
    """The CLI's data-plane calls come from this machine (loopback): the vault's network rules apply to them."""
    from azlocal.keyvault import access, vaults

    doc = vaults.find(vault_name)
    if doc is not None:
        access.network(doc, principal(), "127.0.0.1")
    return vault_name


def item(vault_name=None, name=None, identifier=None, version=None, hsm_name=None):
    """(vault name, object name, version) of a command on one object."""
    if identifier:
        if vault_name:
            raise AzLocalError("--vault-name and --id are mutually exclusive.")
        if hsm_name:
            raise AzLocalError("--hsm-name and --id are mutually exclusive.")
        vault, _, object_name, id_version = parse_id(identifier)
        return reachable(vault), object_name, id_version or version
    _hsm(hsm_name)
    if not (name and vault_name):
        raise AzLocalError(USAGE)
    return reachable(vault_name), name, version


def vault(vault_name=None, identifier=None, hsm_name=None):
    """The vault name of a command on a whole vault (list …): --vault-name, or the vault URL given as --id."""
    if identifier:
        if vault_name:
            raise AzLocalError("--vault-name and --id are mutually exclusive.")
        found = vault_of_url(identifier)
        if not found:
            raise AzLocalError("Invalid id for Vault or HSM.")
        return reachable(found)
    _hsm(hsm_name)
    if not vault_name:
        raise AzLocalError("Please specify --vault-name or --hsm-name.")
    return reachable(vault_name)


def principal():
    """The CLI's own data-plane calls act as the signed-in user."""
    from azlocal.core import settings

    return settings.USER_OBJECT_ID
