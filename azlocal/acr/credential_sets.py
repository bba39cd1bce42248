"""ACR credential sets: the upstream credentials of cache rules, kept as Key Vault secret URIs that the
set's system-assigned managed identity reads. azlocal has neither Key Vault nor managed identities yet
(the identity issue), so no credential set can be created: create and update fail saying so, list is
empty, show and delete find nothing. Cache rules work without one (upstreams come from this machine)."""

import re

from azlocal.acr import registries, registry_rules
from azlocal.acr.cache_rules import CREDENTIAL_SET_TYPE
from azlocal.core.errors import AzLocalError, ValidationError
from azlocal.core.lookups import not_found

UNAVAILABLE = ("(CredentialSetNotAvailable) Credential sets cannot be created offline yet: a credential set "
               "stores Key Vault secret URIs that its managed identity reads, and azlocal has neither Key Vault "
               "nor managed identities until the identity issue lands. Nothing was created. Cache rules work "
               "without credentials here: `az acr cache create` without --cred-set serves upstream images "
               "from this machine.")


def _missing(doc, name):
    return not_found(f"{CREDENTIAL_SET_TYPE}/{doc['name']}", name, registries.group_of_doc(doc), pointer=False)


def _check(name, secret_ids):
    registry_rules.check_child_name(name, "credential set")
    for value in secret_ids:
        if value is not None and not re.match(r"^https://[^/\s]+/secrets/[^/\s]+(/[^/\s]*)?$", value):
            raise ValidationError(f"(InvalidParameter) '{value}' is not a Key Vault secret identifier "
                                  "(https://<vault>.vault.azure.net/secrets/<name>[/<version>]).")


def create(registry, name, login_server, username_id, password_id, resource_group=None):
    registries.get(registry, resource_group)
    _check(name, (username_id, password_id))
    if not login_server or "/" in login_server or "." not in login_server:
        raise ValidationError(f"(InvalidParameter) '{login_server}' is not a registry login server "
                              "(e.g. docker.io).")
    raise AzLocalError(UNAVAILABLE)


def list_sets(registry, resource_group=None):
    registries.get(registry, resource_group)
    return []


def get(registry, name, resource_group=None):
    doc = registries.get(registry, resource_group)
    raise _missing(doc, name)


def update(registry, name, resource_group=None, *, username_id=None, password_id=None, **_generic):
    if username_id is None and password_id is None:
        raise ValidationError("You must update either the username secret ID, password secret ID, or both.")
    get(registry, name, resource_group)


def delete(registry, name, resource_group=None):
    get(registry, name, resource_group)
