"""az acr identity and az acr encryption: a registry's managed identities and its encryption settings.

Identities are recorded on the registry's document as Azure shows them (`type`, the system identity's
principal and the tenant, each user-assigned identity's own `clientId`/`principalId`; a user-assigned identity
that does not exist is refused), with a warning: no token endpoint serves a registry's identities to task runs or
clients offline (customer-managed keys use them: see encryption).
Encryption is Azure's default (service-managed keys, `status: disabled`); customer-managed keys need a
Key Vault, which azlocal does not provide, so `rotate-key` fails as az fails for a registry without them.
"""

import copy

from knack.log import get_logger

from azlocal.acr import identities as identities_doc
from azlocal.acr import registries
from azlocal.acr.identities import SYSTEM
from azlocal.core import arm, settings
from azlocal.core.errors import AzLocalError

logger = get_logger(__name__)

NO_TOKENS = ("The registry's managed identities are principals role assignments can name (a customer-managed key is "
             "used as one of them), but azlocal serves no tokens for them to task runs or other clients: those cannot "
             "authenticate as these identities.")


def _user_id(identity, resource_group):
    if identity.lower().startswith("/subscriptions/"):
        return identity
    return (f"/subscriptions/{settings.SUBSCRIPTION_ID}/resourceGroups/{resource_group}/providers/"
            f"Microsoft.ManagedIdentity/userAssignedIdentities/{identity}")


def _kinds(identity):
    kind = ((identity or {}).get("type") or "None").replace(" ", "").lower()
    return "systemassigned" in kind, "userassigned" in kind


def _save(doc):
    from azlocal.platform.store import store

    doc["systemData"]["lastModifiedAt"] = arm.utc_now()
    store().put(doc)
    return doc


def _group(doc):
    from azlocal.platform.store import group_of

    return group_of(doc["id"])


def show(name, resource_group=None):
    return registries.get(name, resource_group).get("identity")


def assign(name, identities, resource_group=None):
    from azlocal.platform.store import store

    identities = identities or []
    with store().transaction():
        doc = copy.deepcopy(registries.get(name, resource_group))
        group = resource_group or _group(doc)
        doc["identity"] = identities_doc.build(
            [i if i == SYSTEM else _user_id(i, group) for i in identities], doc.get("identity"), target=doc["id"])
        _save(doc)
    logger.warning(NO_TOKENS)
    return doc


def remove(name, identities, resource_group=None):
    from azlocal.platform.store import store

    identities = identities or []
    with store().transaction():
        doc = copy.deepcopy(registries.get(name, resource_group))
        identity = doc.get("identity")
        system, user = _kinds(identity)
        if not (system or user):
            raise AzLocalError(f"The registry {name} has no system or user assigned identities.")
        if SYSTEM in identities:
            if not system:
                raise AzLocalError("The registry does not have a system identity assigned.")
            system = False
            identity["principalId"] = identity["tenantId"] = None
        users = dict(identity.get("userAssignedIdentities") or {})
        for item in (i for i in identities if i != SYSTEM):
            rid = _user_id(item, resource_group or _group(doc))
            match = next((k for k in users if k.lower() == rid.lower()), None)
            if match is None:
                raise AzLocalError(f"The registry does not have specified user identity '{item}' assigned, so it "
                                   "cannot be removed.")
            users.pop(match)
        identity["userAssignedIdentities"] = users or None
        identity["type"] = identities_doc.type_of(system, users)
        doc["identity"] = identity if (system or users) else None
        _save(doc)
    return doc

