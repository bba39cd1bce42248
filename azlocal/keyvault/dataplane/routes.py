"""Which Key Vault operation a request is, and the one dispatcher: vault, caller, operation, handler.

A path is split into its collection (`secrets`, `deletedsecrets`, `keys`, `deletedkeys`, …), the object's
name, its version and a trailing verb; the route table maps (method, shape) to a handler of secrets_api or
keys_api. Names are checked as the service checks them (1-127 letters, digits and hyphens) before any
handler runs; operations the service has but azlocal does not serve offline answer 501 saying so. Every
failure becomes Key Vault's JSON error (errors.response); an unexpected one is logged by type only (a
message could carry request data) and answered 500."""

import asyncio
import logging
import re
import uuid
from dataclasses import dataclass, field

from azlocal.keyvault.dataplane import auth, errors, network
from azlocal.keyvault.dataplane.errors import VaultError, bad_parameter

log = logging.getLogger("azlocal.keyvault.dataplane")

NAME = re.compile(r"^[0-9a-zA-Z-]{1,127}$")
VERSION = re.compile(r"^[0-9a-fA-F]{32}$")
API_VERSION = re.compile(r"^(7\.[0-9]|20[0-9]{2}-[01][0-9]-[0-3][0-9])(-preview(\.[0-9]+)?)?$")
SERVICE_VERSION = "1.9.2880.1"
MAX_BODY = 256 * 1024  # a secret value is at most 25 KB; keys, JWKs and crypto values far less

# (method, collection, shape) -> "module.handler"; shape: "" (the collection), "name", "name/verb",
# "name/version", "name/version/verb" (the verb in the key).
ROUTES = {
    ("GET", "secrets", ""): "secrets_api.list_secrets",
    ("PUT", "secrets", "name"): "secrets_api.set_secret",
    ("GET", "secrets", "name"): "secrets_api.get_secret",
    ("DELETE", "secrets", "name"): "secrets_api.delete_secret",
    ("GET", "secrets", "name/versions"): "secrets_api.list_versions",
    ("GET", "secrets", "name/version"): "secrets_api.get_secret",
    ("PATCH", "secrets", "name/version"): "secrets_api.update_secret",
    ("GET", "deletedsecrets", ""): "secrets_api.list_deleted",
    ("GET", "deletedsecrets", "name"): "secrets_api.get_deleted",
    ("DELETE", "deletedsecrets", "name"): "secrets_api.purge",
    ("POST", "deletedsecrets", "name/recover"): "secrets_api.recover",
    ("GET", "keys", ""): "keys_api.list_keys",
    ("POST", "keys", "name/create"): "keys_api.create_key",
    ("PUT", "keys", "name"): "keys_api.import_key",
    ("GET", "keys", "name"): "keys_api.get_key",
    ("DELETE", "keys", "name"): "keys_api.delete_key",
    ("GET", "keys", "name/versions"): "keys_api.list_versions",
    ("GET", "keys", "name/version"): "keys_api.get_key",
    ("PATCH", "keys", "name/version"): "keys_api.update_key",
    ("GET", "deletedkeys", ""): "keys_api.list_deleted",
    ("GET", "deletedkeys", "name"): "keys_api.get_deleted",
    ("DELETE", "deletedkeys", "name"): "keys_api.purge",
    ("POST", "deletedkeys", "name/recover"): "keys_api.recover",
}
for _verb in ("encrypt", "decrypt", "wrapkey", "unwrapkey", "sign", "verify"):
    ROUTES[("POST", "keys", f"name/version/{_verb}")] = f"keys_api.{_verb}"

# what the service has and azlocal does not serve (the message says so, instead of a bare 404)
NOT_SERVED = {"secrets": {"backup", "restore"}, "keys": {"backup", "restore", "rotate", "rotationpolicy",
                                                         "release", "attestation"},
              "certificates": None, "deletedcertificates": None, "storage": None, "deletedstorage": None,
              "rng": None, "securitydomain": None, "rbac": None, "settings": None}
VERBS = {"secrets": {"versions", "backup"}, "keys": {"versions", "backup", "create", "rotate", "rotationpolicy"},
         "deletedsecrets": {"recover"}, "deletedkeys": {"recover"}}


@dataclass
class Path:
    collection: str
    name: str = None
    version: str = None  # "" for the latest (a trailing slash), None when the path names none
    verb: str = None

    @property
    def shape(self):
        if self.name is None:
            return self.verb or ""
        parts = ["name"] + (["version"] if self.version is not None else []) + ([self.verb] if self.verb else [])
        return "/".join(parts)


def parse(path):
    """'/secrets/a/0123…' -> Path('secrets', 'a', '0123…'); raises the service's 400 for a bad name."""
    parts = path.split("/")[1:]  # keep empty segments: '/secrets/a/' names the latest version
    if not parts or not parts[0]:
        raise VaultError(404, "NotFound", "The request URI does not name a Key Vault operation.")
    collection = parts[0].lower()
    if len(parts) > 1 and parts[1] == "" and len(parts) == 2:
        parts = parts[:1]  # '/secrets/' is the collection
    p = Path(collection)
    if len(parts) == 1:
        return p
    p.name = parts[1]
    rest = parts[2:]
    if collection in NOT_SERVED and p.name.lower() in (NOT_SERVED[collection] or ()) and not rest:
        p.name, p.verb = None, p.name.lower()  # /secrets/restore, /keys/restore
        return p
    if not NAME.match(p.name):
        raise bad_parameter(f"The request URI contains an invalid name: {p.name}")
    if len(rest) == 1 and rest[0].lower() in VERBS.get(collection, ()) | (NOT_SERVED.get(collection) or set()):
        p.verb = rest[0].lower()
        return p
    if rest:
        p.version = rest[0]
        if p.version and not VERSION.match(p.version):
            raise bad_parameter(f"The request URI contains an invalid version: {p.version}")
        if len(rest) == 2 and rest[1]:
            p.verb = rest[1].lower()
        elif len(rest) > 2 or (len(rest) == 2 and not rest[1]):
            raise VaultError(404, "NotFound", "The request URI does not name a Key Vault operation.")
    return p


def resolve(method, p):
    target = ROUTES.get((method, p.collection, p.shape))
    if target:
        return target
    served = NOT_SERVED.get(p.collection, False)
    if served is None or (served and p.verb in served):
        what = f"{p.collection}/{p.verb}" if p.verb else p.collection
        raise VaultError(501, "NotImplemented", f"azlocal's Key Vault does not serve the '{what}' operations "
                         "offline: secrets (set, get, list, versions, delete, recover, purge) and keys (create, "
                         "import, get, list, delete, recover, purge, encrypt, decrypt, wrap, unwrap, sign, "
                         "verify) are served.")
    if any(k[1:] == (p.collection, p.shape) for k in ROUTES):
        raise VaultError(405, "MethodNotAllowed", f"The requested resource does not support http method "
                         f"'{method}'.")
    raise VaultError(404, "NotFound", "The request URI does not name a Key Vault operation.")


def api_version(query):
    value = query.get("api-version")
    if not value:
        raise bad_parameter("The 'api-version' query parameter is missing.")
    if not API_VERSION.match(value):
        raise bad_parameter(f"The specified version ({value}) is not recognized. Consider using the latest "
                            "supported version (7.6).")
    return value


@dataclass
class Context:
    """One request: the vault's document, the caller, the parsed path; `call` runs store code off the loop."""

    request: object
    vault: dict
    caller: auth.Caller
    path: Path
    api_version: str
    extra: dict = field(default_factory=dict)

    @property
    def vault_name(self):
        return self.vault["name"]

    def base_url(self):
        scheme = "https" if self.request.secure else "http"
        return f"{scheme}://{self.request.host}{self.request.path}"

    async def call(self, fn, *args, **kwargs):
        return await asyncio.get_running_loop().run_in_executor(None, lambda: fn(*args, **kwargs))

    async def json(self):
        """The request's JSON object body ({} when empty); 400 BadParameter when it is not one."""
        import json

        too_large = bad_parameter(f"The request body is larger than {MAX_BODY // 1024} KB, more than any Key "
                                  "Vault operation takes.", status=413)
        if (self.request.content_length or 0) > MAX_BODY:
            raise too_large
        raw = b""
        while chunk := await self.request.content.read(64 * 1024):
            raw += chunk
            if len(raw) > MAX_BODY:
                raise too_large
        if not raw.strip():
            return {}
        try:
            body = json.loads(raw)
        except ValueError:
            raise bad_parameter("The request body is not valid JSON.") from None
        if not isinstance(body, dict):
            raise bad_parameter("The request body must be a JSON object.")
        return body


def _headers(request):
    out = {"x-ms-request-id": str(uuid.uuid4()), "x-ms-keyvault-service-version": SERVICE_VERSION,
           "x-ms-keyvault-region": "local", "Cache-Control": "no-cache",
           "x-ms-keyvault-network-info": f"conn_type=Ipv4;addr={request.remote};act_addr_fam=InterNetwork;"}
    client_id = request.headers.get("x-ms-client-request-id")
    if client_id and len(client_id) <= 128:
        out["x-ms-client-request-id"] = client_id
    return out


async def dispatch(request, vault_name):
    from azlocal.keyvault.dataplane import keys_api, secrets_api, service

    modules = {"secrets_api": secrets_api, "keys_api": keys_api}
    try:
        vault = await asyncio.get_running_loop().run_in_executor(None, service.find_vault, vault_name)
        if vault is None:
            raise VaultError(404, "VaultNotFound", f"The vault '{vault_name}' does not exist in this azlocal home "
                             "(or it is deleted).")
        caller = await auth.authenticate(request)
        network.check(vault, caller, request.remote)
        p = parse(request.path)
        module, _, name = resolve(request.method, p).partition(".")
        ctx = Context(request, vault, caller, p, api_version(request.query))
        resp = await getattr(modules[module], name)(ctx)
    except Exception as ex:  # noqa: BLE001 - every failure is Key Vault's error body
        err = errors.from_exception(ex)
        if err is None:
            log.error("Key Vault request %s %s failed: %s", request.method, request.path.split("/")[1:2],
                      type(ex).__name__)
            err = VaultError(500, "InternalServerError", "azlocal's Key Vault failed to process the request; see "
                             "the daemon's log.")
        resp = errors.response(err)
    resp.headers.update(_headers(request))
    return resp
