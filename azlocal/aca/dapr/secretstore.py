"""Dapr's secrets building block for a sidecar: `get(ctx, store, key, metadata)` and `bulk(ctx, store, metadata)`.

The HTTP API (api_secrets) and the gRPC API (GetSecret, GetBulkSecret) call these. A store is a
`secretstores.*` component loaded for the app (scopes apply: a component scoped away does not exist for it):

- `secretstores.azure.keyvault`: the vault named by `vaultName` (a name, or its https://<name>.vault.azure.net
  URL) of this home, read through azlocal.keyvault as the app's managed identity: the system-assigned one, or
  the user-assigned one whose client id `azureClientId` gives (else the only one). The vault's authorization
  (an RBAC role such as Key Vault Secrets User, or an access policy) decides; its refusal is Dapr's
  ERR_SECRET_GET with the vault's message. `metadata.version_id` reads a version; bulk lists the vault's
  enabled secrets (needs list as well as get), each `{name: {name: value}}`.
- `secretstores.kubernetes`: the app's own secrets (`configuration.secrets`; a Key Vault reference is read
  from its vault as a replica reads it). In Container Apps an app's secrets are the platform's Kubernetes
  secrets of the app; this is what such a store gives the app.
- `secretstores.local.env`: the environment variables the app's containers are given as plain values
  (`prefix` metadata filters and strips, as Dapr's local.env does); secretRef variables are not listed.

Other secret store types (`secretstores.local.file`, HashiCorp Vault, cloud stores) cannot be read offline.
"""

SECRETSTORE_TYPES = ("secretstores.azure.keyvault", "secretstores.kubernetes", "secretstores.local.env")


class SecretStoreError(Exception):
    """A Dapr secrets API error: HTTP status, Dapr's code, message; `body()` is the API's JSON."""

    def __init__(self, status, code, message, grpc="INTERNAL"):
        super().__init__(message)
        self.status, self.code, self.message, self.grpc = status, code, message, grpc

    def body(self):
        return {"errorCode": self.code, "message": self.message}


def _get_failed(store, key, why):
    return SecretStoreError(500, "ERR_SECRET_GET",
                            f"failed getting secret with key {key} from secret store {store}: {why}")


def _bulk_failed(store, why):
    return SecretStoreError(500, "ERR_SECRET_GET", f"failed getting secrets from secret store {store}: {why}")


def component(ctx, name):
    """The secret store component `name` loaded for the app; Dapr's errors when there is none."""
    try:
        return ctx.component(name, "secretstores")
    except Exception:  # not loaded for the app (absent, scoped away, or its metadata cannot be resolved)
        if not [c for c in ctx.components() if str(c.type).split(".", 1)[0] == "secretstores"]:
            raise SecretStoreError(500, "ERR_SECRET_STORES_NOT_CONFIGURED", "secret store is not configured",
                                   "FAILED_PRECONDITION") from None
        raise SecretStoreError(401, "ERR_SECRET_STORE_NOT_FOUND", f"failed finding secret store with key {name}",
                               "INVALID_ARGUMENT") from None


def _why(ex):
    return getattr(ex, "text", None) or getattr(ex, "message", None) or str(ex)


# Azure Key Vault ---------------------------------------------------------------------------------------

def vault_name(comp):
    name = str(comp.metadata.get("vaultName") or "").strip()
    if name.lower().startswith("https://"):
        name = name[len("https://"):].split(".", 1)[0]
    return name


def kv_principal(ctx, comp):
    """The principal id the component reads the vault as (LookupError when the app has no such identity)."""
    from azlocal.identity import principals

    client_id = comp.metadata.get("azureClientId") or None
    return principals.select(ctx.app.get("identity"), client_id=client_id, require_existing=True)[0]


def _kv_get(ctx, comp, key, version=None):
    from azlocal.keyvault import secrets as kv_secrets

    name = vault_name(comp)
    if not name:
        raise ValueError("the component has no vaultName metadata")
    return kv_secrets.get(name, key, version=version or None, principal=kv_principal(ctx, comp))["value"]


def _kv_bulk(ctx, comp):
    from azlocal.keyvault import secrets as kv_secrets

    name = vault_name(comp)
    principal = kv_principal(ctx, comp)
    out = {}
    for item in kv_secrets.list(name, principal):
        if not (item.get("attributes") or {}).get("enabled", True):
            continue
        secret = item["id"].rstrip("/").rsplit("/", 1)[1]
        out[secret] = {secret: kv_secrets.get(name, secret, principal=principal)["value"]}
    return out


# The app's own secrets, its environment ------------------------------------------------------------------

def _app_secret_names(ctx):
    return [s["name"] for s in (ctx.app["properties"].get("configuration") or {}).get("secrets") or []]


def _app_secret(ctx, key):
    from azlocal.aca import revisions

    for name in _app_secret_names(ctx):
        if name.lower() == key.lower():
            return revisions.secret_value(ctx.app, name)
    raise KeyError(f"secret {key} not found")


def _env_values(ctx, comp):
    prefix = str(comp.metadata.get("prefix") or "")
    out = {}
    for container in (ctx.app["properties"].get("template") or {}).get("containers") or []:
        for var in container.get("env") or []:
            name = str(var.get("name") or "")
            if "value" not in var or var.get("secretRef") or not name.startswith(prefix):
                continue
            out[name[len(prefix):]] = "" if var.get("value") is None else str(var["value"])
    return out


# The building block ----------------------------------------------------------------------------------

def _read_one(ctx, comp, key, metadata):
    kind = comp.type.lower()
    if kind == "secretstores.azure.keyvault":
        return {key: _kv_get(ctx, comp, key, (metadata or {}).get("version_id"))}
    if kind == "secretstores.kubernetes":
        return {key: _app_secret(ctx, key)}
    if kind == "secretstores.local.env":
        values = _env_values(ctx, comp)
        if key not in values:
            raise KeyError(f"secret {key} not found")
        return {key: values[key]}
    raise ValueError(f"azlocal cannot read secret stores of type {comp.type} offline (it reads "
                     f"{', '.join(SECRETSTORE_TYPES)})")


def _read_all(ctx, comp):
    kind = comp.type.lower()
    if kind == "secretstores.azure.keyvault":
        return _kv_bulk(ctx, comp)
    if kind == "secretstores.kubernetes":
        return {n: {n: _app_secret(ctx, n)} for n in _app_secret_names(ctx)}
    if kind == "secretstores.local.env":
        return {k: {k: v} for k, v in _env_values(ctx, comp).items()}
    raise ValueError(f"azlocal cannot read secret stores of type {comp.type} offline (it reads "
                     f"{', '.join(SECRETSTORE_TYPES)})")


async def get(ctx, store, key, metadata=None):
    """{key: value} of one secret; SecretStoreError as Dapr's errors."""
    comp = component(ctx, store)
    try:
        return await ctx.run_blocking(_read_one, ctx, comp, key, metadata)
    except KeyError as ex:
        raise _get_failed(store, key, ex.args[0] if ex.args else ex) from ex
    except Exception as ex:  # the vault's refusal, a missing identity, a secret that is not there
        raise _get_failed(store, key, _why(ex)) from ex


async def bulk(ctx, store, metadata=None):
    """{secret name: {key: value}} of every secret of the store; SecretStoreError as Dapr's errors."""
    comp = component(ctx, store)
    try:
        return await ctx.run_blocking(_read_all, ctx, comp)
    except Exception as ex:
        raise _bulk_failed(store, _why(ex)) from ex
