"""Key Vault references: container app and job secrets whose value lives in a Key Vault.

`--secrets name=keyvaultref:<secret uri>,identityref:<identity>` (az's syntax, parsed as az parses it) and a
YAML entry `{name, keyVaultUrl, identity}` make a reference: the configuration's entry shows `keyVaultUrl`
and `identity` (never a value), and the secret store holds only the reference's text (`keyvaultref:…,
identityref:…`), never the vault's value. `identity` is `system` (the resource's system-assigned identity)
or the resource id of a user-assigned identity assigned to the resource.

A reference is resolved when Azure resolves it: when the configuration is PUT (create, update, `secret set`:
a reference that cannot be read refuses the change, as the service's validation does) and each time a
replica or a job execution starts (revision start, restart, scale out), through the Key Vault service layer
(`azlocal.keyvault.vaults`, `secrets`) acting as the identity's principal, so the vault's authorization
(RBAC role or access policy) decides. A versionless URI reads the latest version at each resolution.
"""

import re

from knack.log import get_logger

from azlocal.core.errors import AzLocalError, ValidationError

logger = get_logger(__name__)

KV_PREFIX = "keyvaultref:"
ID_PREFIX = "identityref:"
_FORMAT = ('Secrets must be in format "<key>=<value> <key>=<value> ..." or "<key>=<keyvaultref:keyvaulturl,'
           'identityref:indentityId> ...".')
# https://<vault>.vault.azure.net/secrets/<name>[/<version>]: the secret URIs a reference may name.
_URI = re.compile(r"^https://(?P<vault>[A-Za-z0-9-]{3,24})\.vault\.azure\.net(?::443)?/secrets/"
                  r"(?P<name>[A-Za-z0-9-]{1,127})(?:/(?P<version>[A-Za-z0-9]{32}))?/?$", re.IGNORECASE)


class Reference(str):
    """The value of a reference secret as the parsers pass it on: its text is what the secret store keeps
    (`keyvaultref:<uri>,identityref:<identity>`); `url` and `identity` are its parts."""

    url: str
    identity: str

    def __new__(cls, url, identity):
        self = super().__new__(cls, f"{KV_PREFIX}{url},{ID_PREFIX}{identity}")
        self.url, self.identity = url, identity
        return self


def parse_value(value):
    """A `--secrets` value as az 2.91 reads it: `keyvaultref:<url>,identityref:<id>` is a Reference, a value
    naming only one of the two is refused with az's error, anything else is a plain value (returned as is)."""
    if isinstance(value, Reference):
        return value
    parts = value.split(",", 2)
    if len(parts) == 1:
        if parts[0].startswith(KV_PREFIX):
            raise ValidationError(f"Identityref is missing. {_FORMAT}")
        if parts[0].startswith(ID_PREFIX):
            raise ValidationError(f"Keyvaultref is missing. {_FORMAT}")
    if len(parts) == 2 and parts[0].startswith(KV_PREFIX) and parts[1].startswith(ID_PREFIX):
        return Reference(parts[0][len(KV_PREFIX):], parts[1][len(ID_PREFIX):])
    return value


def stored(text):
    """The Reference a secret store value is, or None for a plain value."""
    if not isinstance(text, str) or not text.startswith(KV_PREFIX):
        return None
    ref = parse_value(text)
    return ref if isinstance(ref, Reference) else None


def yaml_item(entry):
    """A YAML secret entry as a `--secrets` item: `{name, keyVaultUrl, identity}` becomes a reference."""
    if entry.get("keyVaultUrl"):
        return f"{entry.get('name')}={KV_PREFIX}{entry['keyVaultUrl']},{ID_PREFIX}{entry.get('identity') or ''}"
    return f"{entry.get('name')}={entry.get('value', '')}"


def entry(name, value):
    """The configuration's entry for one secret: a reference shows its URL and identity, a value nothing."""
    if isinstance(value, Reference):
        return {"name": name, "keyVaultUrl": value.url, "identity": value.identity}
    return {"name": name}


def entries(names, new, current=None):
    """The configuration's `secrets` for `names`: a name in `new` ({name: value or Reference}) takes its new
    entry, another keeps its entry in `current` (the configuration's list before the change)."""
    new_l = {k.lower(): (k, v) for k, v in (new or {}).items()}
    old = {e["name"].lower(): e for e in current or []}
    out = []
    for n in names:
        if n.lower() in new_l:
            out.append(entry(*new_l[n.lower()]))
        else:
            out.append(dict(old.get(n.lower()) or {"name": n}))
    return out


def listed(doc_entry, value_of):
    """What `secret list --show-values` / `secret show` print for one entry: a reference's URL and identity
    (never the vault's value, as the service's listSecrets answers), a plain secret's value."""
    if doc_entry.get("keyVaultUrl"):
        return {"name": doc_entry["name"], "keyVaultUrl": doc_entry["keyVaultUrl"],
                "identity": doc_entry.get("identity")}
    return {"name": doc_entry["name"], "value": value_of(doc_entry["name"])}


# Resolution ----------------------------------------------------------------------------------------

class KeyVaultReferenceError(AzLocalError):
    """A reference that cannot be read, worded as the service refuses it."""


def _failed(name, identity, reason):
    logger.warning("The Key Vault reference of secret '%s' could not be read: %s", name, reason)
    return KeyVaultReferenceError(
        "(InvalidParameterValueInContainerTemplate) The following field(s) are either invalid or missing. Field "
        f"'configuration.secrets' is invalid with details: 'Invalid value: \"{name}\": Unable to get value using "
        f"Managed identity {identity} for secret {name}. Error: unable to fetch secret '{name}' using Managed "
        f"identity '{identity}'';.")


def principal_of(doc, identity):
    """The principal id `identity` (`system` or a user-assigned identity's id) is on the resource `doc`, or
    None when the resource does not have that identity."""
    from azlocal.identity import principals

    block = doc.get("identity") or {}
    if not identity:
        return None
    if identity.lower() == "system":
        kind = str(block.get("type") or "").replace(" ", "").lower()
        return block.get("principalId") if "systemassigned" in kind else None
    try:
        return principals.select(block, mi_res_id=identity)[0]
    except LookupError:
        return None


def split_uri(url):
    """(vault, secret name, version or None) of a Key Vault secret URI; None when it is not one."""
    match = _URI.match(url or "")
    return (match["vault"].lower(), match["name"], match["version"]) if match else None


def _vault_error(ex):
    """Whether `ex` is the Key Vault service layer refusing a read (not a bug to let through)."""
    return isinstance(ex, AzLocalError) or hasattr(ex, "status") or hasattr(ex, "code")


def resolve(doc, name, ref):
    """The value of reference `ref` (the secret `name` of resource `doc`), read from its vault as its
    identity; KeyVaultReferenceError (exit 1) with the service's text when the identity, vault, secret or the
    identity's access is missing."""
    from azlocal.keyvault import secrets as kv_secrets
    from azlocal.keyvault import vaults

    principal = principal_of(doc, ref.identity)
    if principal is None:
        raise _failed(name, ref.identity, f"the identity '{ref.identity}' is not assigned to '{doc['name']}'")
    parts = split_uri(ref.url)
    if parts is None:
        raise _failed(name, ref.identity, f"'{ref.url}' is not a Key Vault secret URI "
                                          "(https://<vault>.vault.azure.net/secrets/<name>[/<version>])")
    vault_name, secret_name, version = parts
    vault = vaults.find(vault_name)
    if vault is None:
        raise _failed(name, ref.identity, f"no Key Vault named '{vault_name}' exists")
    try:
        bundle = kv_secrets.get(vault, secret_name, version, principal=principal)
    except Exception as ex:  # the service layer's refusals carry (status, code, message)
        if not _vault_error(ex):
            raise
        raise _failed(name, ref.identity, getattr(ex, "text", None) or str(ex)) from None
    return bundle.get("value") or ""


def value_of(doc, name, text):
    """A secret's value at use: `text` (what the secret store holds) itself, or the vault's value when it is
    a reference."""
    ref = stored(text)
    return resolve(doc, name, ref) if ref is not None else text


def check_configured(doc, skip=()):
    """Resolves every reference the resource's configuration has (but those named in `skip`), as the service
    validates each PUT of it (an update whose references cannot be read is refused before anything starts)."""
    skipped = {n.lower() for n in skip}
    for e in (doc.get("properties", {}).get("configuration") or {}).get("secrets") or []:
        if e.get("keyVaultUrl") and e["name"].lower() not in skipped:
            resolve(doc, e["name"], Reference(e["keyVaultUrl"], e.get("identity") or ""))


def check(doc, new):
    """Resolves every reference among `new` ({name: value or Reference}) for resource `doc`, as the service
    validates a PUT: the first that cannot be read refuses the change (nothing is stored yet)."""
    for name, value in (new or {}).items():
        if isinstance(value, Reference):
            resolve(doc, name, value)
