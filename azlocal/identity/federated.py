"""Federated identity credentials of a user-assigned identity (`az identity federated-credential …`).

Each credential is a child row of its identity, shown as az shows the provider's answer (properties flattened).
They are recorded only: no token exchange (an external OIDC token traded for the identity's token) happens
offline, and create/update say so."""

import re

from knack.log import get_logger

from azlocal.core import generic_update
from azlocal.core.errors import ValidationError
from azlocal.core.lookups import not_found
from azlocal.identity import identities
from azlocal.platform.store import group_of, store

logger = get_logger(__name__)

TYPE = "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials"
DEFAULT_AUDIENCES = ["api://AzureADTokenExchange"]
_NAME = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9-_]{2,119}$")
NO_FEDERATION = ("The federated identity credential is recorded on the identity; azlocal performs no token exchange "
                 "offline, so tokens from '{issuer}' are not traded for the identity's tokens.")


def _rid(identity, name):
    return f"{identity['id']}/federatedIdentityCredentials/{name}"


def _check(doc):
    if not doc.get("issuer"):
        raise ValidationError("(BadRequest) The issuer of a federated identity credential is required.")
    cme = doc.get("claimsMatchingExpression")
    if doc.get("subject") and cme:
        raise ValidationError("(BadRequest) Either 'subject' or 'claimsMatchingExpression' must be defined, but not "
                              "both.")
    if not doc.get("subject") and not cme:
        raise ValidationError("(BadRequest) Either 'subject' or 'claimsMatchingExpression' must be defined.")
    if cme and (cme.get("value") is None or cme.get("languageVersion") is None):
        raise ValidationError("usage error: --cme-value and --cme-version are required together.")
    if not isinstance(doc.get("audiences"), list) or not doc["audiences"]:
        raise ValidationError("(BadRequest) A federated identity credential needs at least one audience.")


def _cme(value, version):
    if value is None and version is None:
        return None
    try:
        version = int(version) if version is not None else None
    except (TypeError, ValueError):
        raise ValidationError(f"InvalidArgumentValue: --cme-version: '{version}' is not a valid integer.") from None
    return {"languageVersion": version, "value": value}


def create(resource_group, identity_name, name, issuer=None, subject=None, audiences=None, cme_value=None,
           cme_version=None):
    if not _NAME.match(name or ""):
        raise ValidationError(
            f"(InvalidResourceName) Resource name '{name}' is invalid. The name can contain only letters, numbers, "
            "hyphens and underscores, must start with a letter or a number, and must be 3 to 120 characters long.")
    s = store()
    with s.transaction():
        identity = identities.get(resource_group, identity_name)
        doc = {"audiences": list(audiences or DEFAULT_AUDIENCES), "id": _rid(identity, name), "issuer": issuer,
               "name": name, "resourceGroup": identity["resourceGroup"], "subject": subject, "systemData": None,
               "type": TYPE}
        cme = _cme(cme_value, cme_version)
        if cme:
            doc["claimsMatchingExpression"] = cme
        _check(doc)
        s.put(doc, resource_group=group_of(identity["id"]))
    logger.warning(NO_FEDERATION.format(issuer=issuer))
    return doc


def get(resource_group, identity_name, name):
    identity = identities.get(resource_group, identity_name)
    doc = store().get(_rid(identity, name))
    if doc is None:
        raise not_found(TYPE, f"{identity['name']}/{name}", resource_group)
    return doc


def list_credentials(resource_group, identity_name, top=None):
    identity = identities.get(resource_group, identity_name)
    docs = store().list(type=TYPE, parent_id=identity["id"])
    return docs[:int(top)] if top not in (None, "") else docs


def update(resource_group, identity_name, name, issuer=None, subject=None, audiences=None, cme_value=None,
           cme_version=None, set_=None, add=None, remove=None, force_string=False):
    s = store()
    with s.transaction():
        doc = get(resource_group, identity_name, name)
        doc = generic_update.updated_copy(doc, set_, add, remove, force_string,
                                          read_only=("id", "name", "type", "resourceGroup", "systemData"))
        for key, value in (("issuer", issuer), ("subject", subject)):
            if value is not None:
                doc[key] = value or None
        if audiences is not None:
            doc["audiences"] = list(audiences)
        cme = _cme(cme_value, cme_version)
        if cme:
            merged = dict(doc.get("claimsMatchingExpression") or {})
            merged.update({k: v for k, v in cme.items() if v is not None})
            doc["claimsMatchingExpression"] = merged
            if subject is None:
                doc["subject"] = None
        _check(doc)
        s.put(doc)
    logger.warning(NO_FEDERATION.format(issuer=doc["issuer"]))
    return doc


def delete(resource_group, identity_name, name):
    identity = identities.get(resource_group, identity_name)
    s = store()
    with s.transaction():
        s.delete(_rid(identity, name))
