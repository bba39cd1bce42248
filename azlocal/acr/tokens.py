"""ACR tokens: non-Entra identities of a registry, each with a scope map and up to two passwords.

A token is an ARM resource under its registry (`…/registries/<r>/tokens/<n>`). Its document keeps the
passwords' names, creation times and expiries; the passwords themselves are shown once (by create and
`credential generate`) and only their SHA-256 digests are kept, in one secret of the registry,
`acr/<registry>/token-passwords` ({token: {password name: digest}}: the registry reads it once per view,
and deleting the registry removes it with its other secrets). Every change bumps the registry's
credentials revision, so the registry applies it on the next request.
"""

import hashlib
import json
from datetime import datetime, timedelta, timezone

from azlocal.acr import registries, scope_maps
from azlocal.core import arm
from azlocal.core.errors import AzLocalError
from azlocal.core.lookups import not_found
from azlocal.platform import secrets
from azlocal.platform.store import store

TOKEN_TYPE = "Microsoft.ContainerRegistry/registries/tokens"
PASSWORD_NAMES = ("password1", "password2")
NEVER = "9999-12-31T23:59:59.999999+00:00"
DEFAULT_SCOPE_MAP = "{}-scope-map"


def token_id(registry_doc, name):
    return f"{registry_doc['id']}/tokens/{name}"


def _secret_key(registry_name):
    return f"acr/{registry_name.lower()}/token-passwords"


def _digests(registry_name):
    """{lower-cased token name: {password name: sha256}} of a registry."""
    stored = secrets.get_secret(_secret_key(registry_name))
    return json.loads(stored) if stored else {}


def _save_digests(registry_name, digests):
    if digests:
        secrets.set_secret(_secret_key(registry_name), json.dumps(digests, sort_keys=True))
    else:
        secrets.delete_secret(_secret_key(registry_name))


def digest(password):
    return hashlib.sha256(password.encode()).hexdigest()


def _require(registry_doc, name):
    return store().require(token_id(registry_doc, name), not_found(
        f"{registries.REGISTRY_TYPE}/{registry_doc['name']}/tokens", name, registries.group_of_doc(registry_doc)))


# Expiry ----------------------------------------------------------------------------------------

def parse_expiration(text):
    """`--expiration` as az validates it (%Y-%m-%dT%H:%M:%SZ), as an aware UTC datetime."""
    try:
        return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    except (TypeError, ValueError):
        raise AzLocalError(f"Input '{text}' is not valid datetime. Valid example: 2025-12-31T12:59:59Z")


def expiry_of(expiration_in_days=None, expiration=None):
    """The ARM expiry of new passwords: now + days, the given UTC time, or None (never). A past time is refused."""
    now = datetime.now(timezone.utc)
    if expiration_in_days:
        if expiration_in_days <= 0:
            raise AzLocalError("Days must be positive.")
        try:
            return (now + timedelta(days=expiration_in_days)).isoformat()
        except OverflowError:
            return NEVER
    if expiration:
        when = parse_expiration(expiration) if isinstance(expiration, str) else expiration
        if when <= now:
            raise AzLocalError(f"(InvalidExpiryDate) The expiry date '{when.isoformat()}' of the credentials is in "
                               "the past: it must be a future date and time.")
        return when.isoformat()
    return None  # no expiry: the service shows `expiry: null` (as the az team's recorded scenario tests check)


def expired(expiry, now=None):
    if not expiry or expiry == NEVER:
        return False
    try:
        when = datetime.fromisoformat(expiry)
    except ValueError:
        return True
    return when <= (now or datetime.now(timezone.utc))


# Documents -------------------------------------------------------------------------------------

def _document(registry_doc, name, scope_map_doc, status, existing=None):
    now = arm.utc_now()
    created = existing["creationDate"] if existing else now
    user = registry_doc.get("systemData") or {}
    return {
        "creationDate": created,
        "credentials": existing["credentials"] if existing else {"certificates": [], "passwords": []},
        "id": token_id(registry_doc, name),
        "name": existing["name"] if existing else name,
        "provisioningState": "Succeeded",
        "scopeMapId": scope_map_doc["id"],
        "status": status or "enabled",
        "systemData": {"createdAt": created, "createdBy": user.get("createdBy"), "createdByType": "User",
                       "lastModifiedAt": now, "lastModifiedBy": user.get("createdBy"), "lastModifiedByType": "User"},
        "type": TOKEN_TYPE,
    }


def _check_quota(registry_doc, name):
    if store().get(token_id(registry_doc, name)) is not None:
        return
    limit = scope_maps.limit_of(registry_doc)
    if len(store().list(type=TOKEN_TYPE, parent_id=registry_doc["id"])) >= limit:
        raise AzLocalError(f"(QuotaExceeded) The registry '{registry_doc['name']}' has reached its limit of {limit} "
                           f"tokens for the {registry_doc['sku']['name']} SKU.")


def create(registry, name, resource_group=None, *, scope_map=None, repositories=None, gateways=None, status=None,
           no_passwords=False, expiration=None, expiration_in_days=None):
    """az acr token create: the token (and, with --repository/--gateway, its `<name>-scope-map`), then two
    passwords unless --no-passwords. Every check runs before anything is written."""
    if bool(repositories or gateways) == bool(scope_map):
        raise AzLocalError("usage error: can't use --scope-map and --repository | --gateway")
    if no_passwords and (expiration_in_days is not None or expiration is not None):
        raise AzLocalError("usage error: --no-passwords and expiration arguments are mutually exclusive.")
    if expiration_in_days is not None and expiration is not None:
        raise AzLocalError("usage error: --expiration and --expiration-in-days are mutually exclusive.")
    actions = scope_maps.parse_actions(repositories, gateways) if not scope_map else None
    expiry = None if no_passwords else expiry_of(expiration_in_days, expiration)
    doc = registries.get(registry, resource_group)
    scope_maps.check_name(name, "token")
    with store().transaction():
        _check_quota(doc, name)
        if actions is not None:
            map_doc = _default_scope_map(doc, name, actions)
        else:
            map_doc = scope_maps.require(doc, scope_map)
        token = _document(doc, name, map_doc, status, store().get(token_id(doc, name)))
        store().put(token)
        generated = None if no_passwords else _generate(doc, token, PASSWORD_NAMES, expiry)
    registries._bump_credentials_revision(doc["name"])
    if generated is None:
        return token
    return dict(token, credentials=generated)


def _default_scope_map(registry_doc, token_name, actions):
    """As az: `<token>-scope-map`, reused when it has the same actions, refused when it differs."""
    name = DEFAULT_SCOPE_MAP.format(token_name)
    existing = scope_maps.find(registry_doc, name)
    if existing is not None:
        if sorted(existing["actions"]) == sorted(actions):
            return existing
        raise AzLocalError("The default scope map was already configured with different repository permissions.\n"
                           f'Please use "az acr scope-map update -r {registry_doc["name"]} -n {name} --add <REPO> '
                           '--remove <REPO>" to update.')
    return scope_maps.put(registry_doc, name, actions, f"Created by token: {token_name}")


def _new_password():
    return registries.random_password(44)


def _generate(registry_doc, token, names, expiry):
    """New values for the named passwords (inside the caller's transaction): the token's document records
    their times, the secret store their digests. Returns az's GenerateCredentialsResult."""
    now = arm.utc_now()
    kept = [p for p in token["credentials"]["passwords"] if p["name"] not in names]
    fresh = []
    digests = _digests(registry_doc["name"])
    mine = digests.setdefault(token["name"].lower(), {})
    for password_name in names:
        value = _new_password()
        mine[password_name] = digest(value)
        fresh.append({"creationTime": now, "expiry": expiry, "name": password_name, "value": value})
    _save_digests(registry_doc["name"], digests)
    passwords = sorted(kept + [dict(p, value=None) for p in fresh], key=lambda p: p["name"])
    token["credentials"] = dict(token["credentials"], passwords=passwords)
    store().put(token)
    return {"passwords": fresh, "username": token["name"]}


def credential_generate(registry, name, resource_group=None, *, password1=False, password2=False,
                        expiration_in_days=None, expiration=None):
    expiry = expiry_of(expiration_in_days, expiration)
    names = (("password1",) if password1 else ("password2",)) if password1 ^ password2 else PASSWORD_NAMES
    doc = registries.get(registry, resource_group)
    with store().transaction():
        token = _require(doc, name)
        generated = _generate(doc, token, names, expiry)
    registries._bump_credentials_revision(doc["name"])
    return generated


def credential_delete(registry, name, resource_group=None, *, password1=False, password2=False):
    if not (password1 or password2):
        raise AzLocalError("No credentials to delete.")
    doc = registries.get(registry, resource_group)
    with store().transaction():
        token = _require(doc, name)
        present = {p["name"] for p in token["credentials"]["passwords"]}
        if password1 and "password1" not in present:
            raise AzLocalError("Unable to perform operation. Password1 credential doesn't exist.")
        if password2 and "password2" not in present:
            raise AzLocalError("Unable to perform operation. Password2 credential doesn't exist.")
        gone = {n for n, wanted in (("password1", password1), ("password2", password2)) if wanted}
        token["credentials"]["passwords"] = [p for p in token["credentials"]["passwords"] if p["name"] not in gone]
        store().put(token)
        digests = _digests(doc["name"])
        for password_name in gone:
            digests.get(token["name"].lower(), {}).pop(password_name, None)
        _save_digests(doc["name"], digests)
    registries._bump_credentials_revision(doc["name"])
    return token


def update(registry, name, resource_group=None, *, scope_map=None, status=None):
    doc = registries.get(registry, resource_group)
    with store().transaction():
        token = _require(doc, name)
        if scope_map:
            token["scopeMapId"] = scope_maps.require(doc, scope_map)["id"]
        if status:
            token["status"] = status
        token["systemData"] = dict(token.get("systemData") or {}, lastModifiedAt=arm.utc_now())
        store().put(token)
    registries._bump_credentials_revision(doc["name"])
    return token


def put_token(registry_doc, name, scope_map_doc):
    """ARM's PUT of an enabled token without new passwords, inside the caller's transaction (a connected
    registry's sync token, as az creates it). Callers bump the registry's credentials revision."""
    scope_maps.check_name(name, "token")
    _check_quota(registry_doc, name)
    token = _document(registry_doc, name, scope_map_doc, "enabled", store().get(token_id(registry_doc, name)))
    store().put(token)
    return token


def remove(registry_doc, token_doc):
    """Deletes a token and its password digests, inside the caller's transaction."""
    store().delete(token_doc["id"])
    digests = _digests(registry_doc["name"])
    digests.pop(token_doc["name"].lower(), None)
    _save_digests(registry_doc["name"], digests)


def show(registry, name, resource_group=None):
    return _require(registries.get(registry, resource_group), name)


def list_tokens(registry, resource_group=None):
    doc = registries.get(registry, resource_group)
    return sorted(store().list(type=TOKEN_TYPE, parent_id=doc["id"]), key=lambda t: t["name"])


def delete(registry, name, resource_group=None):
    doc = registries.get(registry, resource_group)
    with store().transaction():
        token = _require(doc, name)
        store().delete(token["id"])
        digests = _digests(doc["name"])
        digests.pop(token["name"].lower(), None)
        _save_digests(doc["name"], digests)
    registries._bump_credentials_revision(doc["name"])


# What the registry's data plane needs ----------------------------------------------------------

def credentials_of(registry_doc):
    """{lower-cased token name: {"enabled", "actions", "passwords": {name: (sha256, expiry)}}} of a registry,
    read once when the data plane builds its view of the registry."""
    maps = {}
    out = {}
    tokens = store().list(type=TOKEN_TYPE, parent_id=registry_doc["id"])
    digests = _digests(registry_doc["name"]) if tokens else {}
    for token in tokens:
        map_id = (token.get("scopeMapId") or "").lower()
        if map_id not in maps:
            found = scope_maps.find(registry_doc, map_id.rsplit("/", 1)[-1]) if map_id else None
            maps[map_id] = list(found["actions"]) if found else []
        passwords = {}
        mine = digests.get(token["name"].lower(), {})
        for p in token["credentials"]["passwords"]:
            if p["name"] in mine:
                passwords[p["name"]] = (mine[p["name"]], p.get("expiry"))
        out[token["name"].lower()] = {"name": token["name"], "enabled": token.get("status") == "enabled",
                                      "actions": maps[map_id], "passwords": passwords}
    return out
