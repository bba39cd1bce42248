"""ACR credential sets: the upstream credentials of cache rules, kept as Key Vault secret URIs that the set's
own system-assigned managed identity reads.

A credential set is a child resource of its registry (`…/registries/<r>/credentialSets/<name>`) with one
auth credential (`Credential1`: `usernameSecretIdentifier`, `passwordSecretIdentifier`) and an identity made
when it is created (`identity.principalId`, fixed for the set's life): grant that principal Key Vault
Secrets User (RBAC vaults) or a `get` secret policy on the vault(s), as Azure's docs say.

The secrets are read only when they are used (`resolve`): at pull-through time, when a cache rule with the
set fetches an upstream image, through the Key Vault service layer as the set's principal; a versionless URI
reads the latest version each time. `show`/`list` report `credentialHealth` as read now (Healthy, or
Unhealthy with the reason), never the values.
"""

import re

from knack.log import get_logger

from azlocal.acr import registries, registry_rules
from azlocal.acr.cache_rules import CACHE_RULE_TYPE, CREDENTIAL_SET_TYPE
from azlocal.core import arm, settings
from azlocal.core.errors import AzLocalError, ValidationError
from azlocal.core.lookups import not_found
from azlocal.platform.store import store

logger = get_logger(__name__)

_SECRET_URI = re.compile(r"^https://[^/\s]+/secrets/[^/\s]+(/[^/\s]*)?$")
_LOGIN_SERVER = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*"
                           r"[A-Za-z0-9])?)+(?::[0-9]{1,5})?$")


class CredentialsUnavailable(AzLocalError):
    """A credential set whose secrets its identity cannot read (vault, secret or access missing)."""


def _missing(doc, name):
    return not_found(f"{CREDENTIAL_SET_TYPE}/{doc['name']}", name, registries.group_of_doc(doc), pointer=False)


def _check_ids(secret_ids):
    for value in secret_ids:
        if value is not None and not _SECRET_URI.match(value):
            raise ValidationError(f"(InvalidParameter) '{value}' is not a Key Vault secret identifier "
                                  "(https://<vault>.vault.azure.net/secrets/<name>[/<version>]).")


def set_id(doc, name):
    return f"{doc['id']}/credentialSets/{name}"


def _find(doc, name):
    wanted = (name or "").lower()
    for found in store().list(type=CREDENTIAL_SET_TYPE, parent_id=doc["id"]):
        if found["name"].lower() == wanted:
            return found
    return None


def _document(doc, name, login_server, username_id, password_id, principal):
    now = arm.utc_now()
    return {
        "authCredentials": [{"credentialHealth": {"errorCode": None, "errorMessage": None, "status": "Healthy"},
                             "name": "Credential1", "passwordSecretIdentifier": password_id,
                             "usernameSecretIdentifier": username_id}],
        "creationDate": now,
        "id": set_id(doc, name),
        "identity": {"principalId": principal, "tenantId": settings.TENANT_ID, "type": "SystemAssigned",
                     "userAssignedIdentities": None},
        "loginServer": login_server,
        "name": name,
        "provisioningState": "Succeeded",
        "systemData": {"createdAt": now, "createdBy": settings.USER_NAME, "createdByType": "User",
                       "lastModifiedAt": now, "lastModifiedBy": settings.USER_NAME, "lastModifiedByType": "User"},
        "type": CREDENTIAL_SET_TYPE,
    }


def create(registry, name, login_server, username_id, password_id, resource_group=None):
    """A PUT: a new set gets a new system-assigned principal; an existing one keeps its principal."""
    from azlocal.identity import principals

    doc = registries.get(registry, resource_group)
    registry_rules.check_child_name(name, "credential set")
    _check_ids((username_id, password_id))
    if not login_server or not _LOGIN_SERVER.match(login_server):
        raise ValidationError(f"(InvalidParameter) '{login_server}' is not a registry login server "
                              "(e.g. docker.io).")
    s = store()
    with s.transaction():
        existing = _find(doc, name)
        principal = existing["identity"]["principalId"] if existing else principals.new_system_principal()
        new = _document(doc, existing["name"] if existing else name, login_server, username_id, password_id,
                        principal)
        if existing:
            new["creationDate"] = existing["creationDate"]
            new["systemData"]["createdAt"] = existing["systemData"]["createdAt"]
        s.put(new)
    return with_health(new)


def list_sets(registry, resource_group=None):
    doc = registries.get(registry, resource_group)
    return [with_health(c) for c in store().list(type=CREDENTIAL_SET_TYPE, parent_id=doc["id"])]


def get(registry, name, resource_group=None):
    doc = registries.get(registry, resource_group)
    found = _find(doc, name)
    if found is None:
        raise _missing(doc, name)
    return with_health(found)


def update(registry, name, resource_group=None, *, username_id=None, password_id=None, **_generic):
    if username_id is None and password_id is None:
        raise ValidationError("You must update either the username secret ID, password secret ID, or both.")
    doc = registries.get(registry, resource_group)
    _check_ids((username_id, password_id))
    s = store()
    with s.transaction():
        found = _find(doc, name)
        if found is None:
            raise _missing(doc, name)
        cred = found["authCredentials"][0]
        if username_id is not None:
            cred["usernameSecretIdentifier"] = username_id
        if password_id is not None:
            cred["passwordSecretIdentifier"] = password_id
        found["systemData"].update(lastModifiedAt=arm.utc_now(), lastModifiedBy=settings.USER_NAME)
        s.put(found)
    return with_health(found)


def delete(registry, name, resource_group=None):
    doc = registries.get(registry, resource_group)
    s = store()
    with s.transaction():
        found = _find(doc, name)
        if found is None:
            raise _missing(doc, name)
        users = [r["name"] for r in s.list(type=CACHE_RULE_TYPE, parent_id=doc["id"])
                 if (r.get("credentialSetResourceId") or "").lower() == found["id"].lower()]
        if users:
            raise AzLocalError(f"(CredentialSetInUse) The credential set '{found['name']}' is used by the cache "
                               f"rule(s) {', '.join(users)}; remove it from them first (az acr cache update "
                               "--remove-cred-set).")
        s.delete(found["id"])


def find_by_id(resource_id):
    return store().get(resource_id) if resource_id else None


# Reading the secrets -----------------------------------------------------------------------------------

def _read(cred_set, uri):
    """One secret of the set, read as its identity; CredentialsUnavailable with the reason otherwise."""
    from azlocal.keyvault import secrets as kv_secrets
    from azlocal.keyvault import vaults

    match = re.match(r"^https://([A-Za-z0-9-]{3,24})\.vault\.azure\.net(?::443)?/secrets/([A-Za-z0-9-]{1,127})"
                     r"(?:/([A-Za-z0-9]{32}))?/?$", uri or "", re.IGNORECASE)
    if not match:
        raise CredentialsUnavailable(f"'{uri}' is not a secret of a Key Vault of this azlocal home")
    vault = vaults.find(match[1])
    if vault is None:
        raise CredentialsUnavailable(f"the Key Vault '{match[1]}' of '{uri}' does not exist")
    try:
        return kv_secrets.get(vault, match[2], match[3], principal=cred_set["identity"]["principalId"])["value"]
    except AzLocalError as ex:
        raise CredentialsUnavailable(f"reading '{uri}' as the credential set's identity "
                                     f"({cred_set['identity']['principalId']}) failed: "
                                     f"{getattr(ex, 'text', None) or ex}") from None


def resolve(cred_set):
    """(username, password) of a credential set, read from Key Vault now."""
    cred = cred_set["authCredentials"][0]
    return _read(cred_set, cred["usernameSecretIdentifier"]), _read(cred_set, cred["passwordSecretIdentifier"])


def with_health(cred_set):
    """The set as `show` prints it: `credentialHealth` as its identity can read the secrets now."""
    import json

    out = json.loads(json.dumps(cred_set))
    health = {"errorCode": None, "errorMessage": None, "status": "Healthy"}
    try:
        resolve(cred_set)
    except CredentialsUnavailable as ex:
        health = {"errorCode": "KeyVaultSecretUnavailable", "errorMessage": str(ex), "status": "Unhealthy"}
    out["authCredentials"][0]["credentialHealth"] = health
    return out
