"""Customer-managed keys (CMK) for registries: `az acr create --identity --key-encryption-key`, `az acr encryption
show/rotate-key`, and the data key every blob of such a registry is sealed with.

A CMK registry (Premium) has a data key: 32 random bytes made at create, never stored in clear. The vault key
named by `keyVaultProperties.keyIdentifier` wraps it (RSA-OAEP-256, through the Key Vault service layer, as the
registry's identity: its principal needs wrap/unwrap on the key, e.g. Key Vault Crypto Service Encryption
User); the wrapped key and the key version that wrapped it are kept in `<registry root>/encryption.json`.
The registry's blobs are sealed with the data key (dataplane/sealed.py: AES-256-GCM in chunks).

The data plane unwraps the data key when it needs it and keeps it `settings.cmk_key_cache_seconds()` (60 s
by default, AZLOCAL_CMK_KEY_CACHE_SECONDS): disabling or deleting the key, or removing the identity's access,
makes pushes and pulls fail (403 DENIED) once that time has passed, as Azure's registry loses access after
its own caching. `rotate-key` re-wraps the same data key with the new key (or the key's latest version): no
blob is re-encrypted.
"""

import base64
import json
import os
import re
import secrets as pysecrets
import threading
import time

from knack.log import get_logger

from azlocal.core import arm, settings
from azlocal.core.errors import AzLocalError, ValidationError

logger = get_logger(__name__)

KEY_FILE = "encryption.json"
ALG = "RSA-OAEP-256"
SYSTEM = "[system]"
ROTATE_NO_CMK = "usage error: key rotation is only applicable to registries with CMK enabled"
_KEY_URI = re.compile(r"^https://(?P<vault>[A-Za-z0-9-]{3,24})\.vault\.azure\.net(?::443)?/keys/"
                      r"(?P<name>[A-Za-z0-9-]{1,127})(?:/(?P<version>[A-Za-z0-9]{32}))?/?$", re.IGNORECASE)
_GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.IGNORECASE)
_cache = {}  # registry id (lower) -> (data key, monotonic expiry)
_guard = threading.Lock()


class KeyUnavailable(AzLocalError):
    """The registry's key cannot be used (key disabled or gone, vault gone, identity without access)."""


def parse_key_uri(uri):
    """(vault, key name, version or None) of a Key Vault key URI; ValidationError when it is not one."""
    match = _KEY_URI.match(uri or "")
    if not match:
        raise ValidationError(f"(InvalidKeyVaultKeyUri) '{uri}' is not a Key Vault key identifier "
                              "(https://<vault>.vault.azure.net/keys/<name>[/<version>]).")
    return match["vault"].lower(), match["name"], match["version"]


def _b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _vault_call(function, uri, *args, principal):
    """A key operation on the key `uri` as `principal`; KeyUnavailable with the vault's reason otherwise."""
    from azlocal.keyvault import keys, vaults

    vault_name, name, version = parse_key_uri(uri)
    vault = vaults.find(vault_name)
    if vault is None:
        raise KeyUnavailable(f"(KeyVaultNotFound) The Key Vault '{vault_name}' of the key '{uri}' does not exist.")
    try:
        return getattr(keys, function)(vault, name, version, *args, principal=principal)
    except AzLocalError as ex:
        raise KeyUnavailable(f"(KeyVaultKeyInaccessible) The registry's identity ({principal}) cannot use the key "
                             f"'{uri}': {getattr(ex, 'text', None) or ex}") from None


def _wrap(uri, data_key, principal):
    """(the versioned key id that wrapped, the wrapped key) of `data_key` under the key `uri`."""
    result = _vault_call("wrap", uri, ALG, data_key, principal=principal)
    return result["kid"], result["value"]


def _unwrap(kid, wrapped, principal):
    return _unb64(_vault_call("unwrap", kid, ALG, _unb64(wrapped), principal=principal)["value"])


# The identity that reads the key ------------------------------------------------------------------------

def _identity_resource_id(identity, resource_group):
    if identity.lower().startswith("/subscriptions/"):
        return identity.rstrip("/")
    return (f"/subscriptions/{settings.SUBSCRIPTION_ID}/resourceGroups/{resource_group}/providers/"
            f"Microsoft.ManagedIdentity/userAssignedIdentities/{identity}")


def principal_of(doc):
    """The principal id the registry reads its key as: `keyVaultProperties.identity` is a user-assigned
    identity's client id, or `system` (the registry's system-assigned identity)."""
    client = ((doc.get("encryption") or {}).get("keyVaultProperties") or {}).get("identity") or ""
    block = doc.get("identity") or {}
    if client.lower() == "system":
        return block.get("principalId")
    for entry in (block.get("userAssignedIdentities") or {}).values():
        if str(entry.get("clientId", "")).lower() == client.lower():
            return entry.get("principalId")
    return None


def _client_id_for(doc, identity, resource_group):
    """`--identity` of rotate-key (a client id, a name or id of a user-assigned identity, or [system]) as the
    client id the registry keeps; the identity must be assigned to the registry."""
    block = doc.get("identity") or {}
    if identity == SYSTEM:
        if "systemassigned" not in str(block.get("type") or "").replace(" ", "").lower():
            raise AzLocalError("The registry does not have a system identity assigned.")
        return "system"
    users = block.get("userAssignedIdentities") or {}
    if _GUID.match(identity):
        if any(str(e.get("clientId", "")).lower() == identity.lower() for e in users.values()):
            return identity
        raise AzLocalError(f"The identity with client id '{identity}' is not assigned to the registry.")
    rid = _identity_resource_id(identity, resource_group)
    for key, entry in users.items():
        if key.lower() == rid.lower():
            return entry["clientId"]
    raise AzLocalError(f"The user-assigned identity '{rid}' is not assigned to the registry; assign it first "
                       "(az acr identity assign).")


# Create --------------------------------------------------------------------------------------------------

def check_flags(identity, key_encryption_key, sku):
    """az's check that both flags come together, then the service's: Premium only, a Key Vault key URI."""
    if not identity and not key_encryption_key:
        return
    if bool(identity) != bool(key_encryption_key):
        raise AzLocalError("Usage error: --identity and --key-encryption-key must be both supplied")
    if str(sku).lower() != "premium":
        raise AzLocalError(f"(FeatureNotSupportedForSku) Customer-managed key encryption is supported only by the "
                           f"Premium SKU; the registry's SKU is '{sku}'.")
    parse_key_uri(key_encryption_key)


def prepare(identity, key_encryption_key, sku, resource_group, registry_id):
    """At create: wraps a new data key with the key as the identity (the identity must exist and may use the
    key). None without the flags; else a plan for `apply` and `save_key` (nothing is written yet)."""
    from azlocal.acr import identities
    from azlocal.identity import principals

    if not identity and not key_encryption_key:
        return None
    check_flags(identity, key_encryption_key, sku)
    rid = _identity_resource_id(identity, resource_group)
    user = principals.user_identity(rid)  # az resolves the identity's client id first: not found, exit 3
    block = identities.build([rid], None, target=registry_id)
    data_key = pysecrets.token_bytes(32)
    kid, wrapped = _wrap(key_encryption_key, data_key, user["principalId"])
    now = arm.utc_now()
    properties = {"identity": user["clientId"], "keyIdentifier": key_encryption_key,
                  "keyRotationEnabled": parse_key_uri(key_encryption_key)[2] is None,
                  "lastKeyRotationTimestamp": now, "versionedKeyIdentifier": kid}
    return {"identity": block, "encryption": {"keyVaultProperties": properties, "status": "enabled"},
            "file": {"registry": registry_id, "kid": kid, "alg": ALG, "wrapped": wrapped}}


def apply(doc, plan, existing=None):
    """The registry's document with the plan's identity and encryption. A PUT on an existing registry keeps
    its encryption (CMK cannot be turned on or off after create, as on Azure)."""
    old = (existing or {}).get("encryption") or {}
    if existing is not None:
        if plan is not None and old.get("status") != "enabled":
            raise AzLocalError("(CannotEnableEncryptionOnExistingRegistry) Customer-managed key encryption can be "
                               "enabled only when a registry is created.")
        doc["encryption"] = old or doc["encryption"]
        if old.get("status") == "enabled":
            doc["identity"] = existing.get("identity")
        return doc
    if plan is not None:
        doc["identity"], doc["encryption"] = plan["identity"], plan["encryption"]
    return doc


def _write_file(root, content):
    path = root / KEY_FILE
    tmp = root / f".{KEY_FILE}.{os.getpid()}.tmp"
    tmp.write_text(json.dumps(content))
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def save_key(name, plan):
    """Writes the wrapped data key next to the registry's blobs (called once its storage folder exists)."""
    from azlocal.acr import registries

    if plan is not None:
        _write_file(registries.storage_root(name), plan["file"])


# The data key at run time -----------------------------------------------------------------------------------

def read_file(root):
    try:
        return json.loads((root / KEY_FILE).read_text())
    except FileNotFoundError:
        return None


def data_key(root):
    """The data key of the registry stored under `root` (cached for `settings.cmk_key_cache_seconds()`);
    KeyUnavailable when the registry's identity can no longer unwrap it."""
    from azlocal.platform.store import store

    content = read_file(root)
    if content is None:
        raise KeyUnavailable("The registry's wrapped data key is missing.")
    cache_key = (content["registry"].lower(), content["kid"])
    with _guard:
        hit = _cache.get(cache_key)
        if hit and hit[1] > time.monotonic():
            return hit[0]
    doc = store().get(content["registry"])
    principal = principal_of(doc) if doc else None
    if principal is None:
        raise KeyUnavailable("(KeyVaultKeyInaccessible) The registry's encryption identity is not assigned to it.")
    key = _unwrap(content["kid"], content["wrapped"], principal)
    with _guard:
        _cache[cache_key] = (key, time.monotonic() + settings.cmk_key_cache_seconds())
    return key


def forget(registry_id=None):
    """Drops cached data keys (all of them, or one registry's)."""
    with _guard:
        for k in [k for k in _cache if registry_id is None or k[0] == registry_id.lower()]:
            _cache.pop(k, None)


# az acr encryption ------------------------------------------------------------------------------------------

def show(name, resource_group=None):
    from azlocal.acr import registries

    return registries.get(name, resource_group).get("encryption")


def rotate_key(name, identity=None, key_encryption_key=None, resource_group=None):
    """Re-wraps the registry's data key with the new key (or, without one, the key's latest version) as the
    (new) identity; the blobs stay as they are."""
    from azlocal.acr import registries
    from azlocal.platform.store import group_of, store

    doc = registries.get(name, resource_group)
    properties = (doc.get("encryption") or {}).get("keyVaultProperties")
    if not properties:
        raise AzLocalError(ROTATE_NO_CMK)
    if key_encryption_key:
        parse_key_uri(key_encryption_key)
    root = registries.storage_root(doc["name"])
    content = read_file(root)
    current = data_key(root)  # as the current identity, with the current key
    new = dict(properties)
    if identity:
        new["identity"] = _client_id_for(doc, identity, resource_group or group_of(doc["id"]))
    if key_encryption_key:
        new["keyIdentifier"] = key_encryption_key
        new["keyRotationEnabled"] = parse_key_uri(key_encryption_key)[2] is None
    trial = dict(doc, encryption=dict(doc["encryption"], keyVaultProperties=new))
    principal = principal_of(trial)
    kid, wrapped = _wrap(new["keyIdentifier"], current, principal)
    new.update(versionedKeyIdentifier=kid, lastKeyRotationTimestamp=arm.utc_now())
    s = store()
    with s.transaction():
        fresh = registries.get(name, resource_group)
        fresh["encryption"] = dict(fresh["encryption"], keyVaultProperties=new)
        fresh["systemData"]["lastModifiedAt"] = arm.utc_now()
        s.put(fresh)
        _write_file(root, dict(content, kid=kid, wrapped=wrapped))
    forget(doc["id"])
    return fresh
