"""Service principals of this home's directory (`az ad sp create-for-rbac/list/show/delete/credential reset`):
an application's identity, named by its appId, that signs in with a password (a client secret).

The documents are Microsoft Graph's servicePrincipal objects, kept in the state store's settings; a password is
shown once, when made, and only its salted scrypt hash is kept, in the secret store (never in SQLite).
`authenticate(app_id, password)` answers whether a password is one of the principal's unexpired ones: what the
registry asks of `docker login -u <appId> -p <password>`; the principal's role assignments decide the rest.
Certificates (--cert, --create-cert, --keyvault) are not made offline."""

import datetime
import hashlib
import hmac
import secrets as random
import string
import uuid

from azlocal.core import settings
from azlocal.core.errors import ResourceNotFound, ValidationError
from azlocal.platform import secrets
from azlocal.platform.store import store

KEY = "graph/servicePrincipals"
_SECRET = "graph/sp/{oid}/{key_id}"
_ALPHABET = string.ascii_letters + string.digits + "~_.-"


def _all():
    return store().get_value(KEY, {})


def _save(docs):
    store().set_value(KEY, docs)


def _now():
    return datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)


def _iso(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _hash(password, salt):
    return hashlib.scrypt(password.encode(), salt=salt, n=2 ** 12, r=8, p=1, dklen=32).hex()


def _new_password():
    """A client secret of Azure's form: 40 characters with the `8Q~` marker after a three-character hint."""
    body = "".join(random.choice(_ALPHABET) for _ in range(37))
    return body[:3] + "8Q~" + body[3:] if len(body) == 37 else body


def _add_password(doc, years=1, end_date=None, display_name=None):
    start = _now()
    end = end_date or start.replace(year=start.year + (years or 1))
    password, key_id, salt = _new_password(), str(uuid.uuid4()), random.token_bytes(16)
    secrets.set_secret(_SECRET.format(oid=doc["id"], key_id=key_id), salt.hex() + ":" + _hash(password, salt))
    doc["passwordCredentials"].append({"customKeyIdentifier": None, "displayName": display_name,
                                       "endDateTime": _iso(end), "hint": password[:3], "keyId": key_id,
                                       "secretText": None, "startDateTime": _iso(start)})
    return password


def _drop_passwords(doc):
    for cred in doc["passwordCredentials"]:
        secrets.delete_secret(_SECRET.format(oid=doc["id"], key_id=cred["keyId"]))
    doc["passwordCredentials"] = []


def _new_doc(name):
    app_id, oid = str(uuid.uuid4()), str(uuid.uuid4())
    return {"accountEnabled": True, "addIns": [], "alternativeNames": [], "appDescription": None,
            "appDisplayName": name, "appId": app_id, "appOwnerOrganizationId": settings.TENANT_ID,
            "appRoleAssignmentRequired": False, "appRoles": [], "applicationTemplateId": None,
            "createdDateTime": _iso(_now()), "deletedDateTime": None, "description": None,
            "disabledByMicrosoftStatus": None, "displayName": name, "homepage": None, "id": oid,
            "info": {"logoUrl": None, "marketingUrl": None, "privacyStatementUrl": None, "supportUrl": None,
                     "termsOfServiceUrl": None},
            "keyCredentials": [], "loginUrl": None, "logoutUrl": None, "notes": None,
            "notificationEmailAddresses": [], "oauth2PermissionScopes": [], "passwordCredentials": [],
            "preferredSingleSignOnMode": None, "preferredTokenSigningKeyThumbprint": None, "replyUrls": [],
            "resourceSpecificApplicationPermissions": [], "samlSingleSignOnSettings": None,
            "servicePrincipalNames": [app_id], "servicePrincipalType": "Application",
            "signInAudience": "AzureADMyOrg", "tags": [], "tokenEncryptionKeyId": None,
            "verifiedPublisher": {"addedDateTime": None, "displayName": None, "verifiedPublisherId": None}}


def create_for_rbac(display_name=None, create_password=True, years=None):
    """(document, password): the principal named `display_name` (made, or the existing one of that name, whose
    passwords are replaced, as az makes the command idempotent)."""
    name = display_name or "azure-cli-" + _now().strftime("%Y-%m-%d-%H-%M-%S")
    docs = _all()
    doc = next((d for d in docs.values() if d["displayName"] == name), None) or _new_doc(name)
    _drop_passwords(doc)
    password = _add_password(doc, years=years) if create_password else None
    with store().transaction():
        docs = _all()
        docs[doc["id"]] = doc
        _save(docs)
    return doc, password


def find(identifier):
    """The principal a service principal name (its appId) or object id names, or None."""
    text = (identifier or "").strip().lower()
    for doc in _all().values():
        if text == doc["id"].lower() or text in (n.lower() for n in doc["servicePrincipalNames"]):
            return doc
    return None


def show(identifier):
    doc = find(identifier)
    if doc is not None:
        return doc
    if len(identifier or "") == 36 and identifier.count("-") == 4:
        raise ResourceNotFound(f"Resource '{identifier}' does not exist or one of its queried reference-property "
                               "objects are not present.", code="Request_ResourceNotFound")
    raise ResourceNotFound(f"Service principal '{identifier}' doesn't exist", code="NotFound")


def list_(spn=None, display_name=None):
    docs = list(_all().values())
    if spn:
        docs = [d for d in docs if spn in d["servicePrincipalNames"]]
    if display_name:
        docs = [d for d in docs if d["displayName"].startswith(display_name)]
    return docs


def delete(identifier):
    doc = show(identifier)
    _drop_passwords(doc)
    with store().transaction():
        docs = _all()
        docs.pop(doc["id"], None)
        _save(docs)


def reset_credential(identifier, append=False, years=None, end_date=None, display_name=None):
    if years and end_date:
        raise ValidationError("usage error: --years | --end-date")
    doc = show(identifier)
    if not append:
        _drop_passwords(doc)
    end = None
    if end_date:
        try:
            end = datetime.datetime.fromisoformat(end_date.replace("Z", "+00:00"))
        except ValueError:
            raise ValidationError(f"Invalid --end-date '{end_date}': use a date such as 2030-12-31 or "
                                  "2030-12-31T11:59:59+00:00.") from None
        end = end if end.tzinfo else end.replace(tzinfo=datetime.timezone.utc)
    password = _add_password(doc, years=years, end_date=end, display_name=display_name)
    with store().transaction():
        docs = _all()
        docs[doc["id"]] = doc
        _save(docs)
    return {"appId": doc["appId"], "password": password, "tenant": settings.TENANT_ID}


def authenticate(app_id, password):
    """The principal's object id when `password` is one of its unexpired client secrets; None otherwise."""
    doc = find(app_id) if app_id and password else None
    if doc is None or not doc.get("accountEnabled", True):
        return None
    now = _iso(_now())
    for cred in doc["passwordCredentials"]:
        stored = secrets.get_secret(_SECRET.format(oid=doc["id"], key_id=cred["keyId"]))
        if not stored or cred["endDateTime"] < now:
            continue
        salt, digest = stored.split(":", 1)
        if hmac.compare_digest(_hash(password, bytes.fromhex(salt)), digest):
            return doc["id"]
    return None
