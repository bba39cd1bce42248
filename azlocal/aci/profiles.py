"""Container group profiles (Microsoft.ContainerInstance/containerGroupProfiles): a group's definition kept
as a template, with revisions. Each create on an existing profile makes a new revision; `show` is the
latest, `show-revision` and `list-revisions` the history, and `az container create
--container-group-profile-id ID --container-group-profile-revision N` makes a group from revision N.

The profile's document (without secrets) is its row; the documents of all its revisions are one value
(`aci-profile-revisions/<id>`); the full definition of each revision, secure values included, is in the
secret store, so a group created from a revision gets them.
"""

import json

from azlocal.aci import document
from azlocal.aci.definition import check_group_name, validate
from azlocal.core import arm
from azlocal.core.errors import ResourceNotFound, ValidationError
from azlocal.core.locations import normalise_location
from azlocal.core.lookups import not_found
from azlocal.platform import secrets
from azlocal.platform.store import store
from azlocal.resources import groups

PROFILE_TYPE = document.PROFILE_TYPE
REVISIONS_KEY = "aci-profile-revisions/"


def _id(group, name):
    return arm.resource_id(group, PROFILE_TYPE, name)


def _prefix(rid):
    return secrets.resource_prefix("aci", rid)


def _stored(resource_group, name):
    groups.get(resource_group)
    return store().require(_id(resource_group, name), not_found(PROFILE_TYPE, name, resource_group))


def create(resource_group, definition, location=None):
    group = groups.get(resource_group)
    name = definition.get("name")
    check_group_name(name, "container group profile")
    validate(definition)
    location = normalise_location(location or definition.get("location") or group["location"])
    rid = _id(group["name"], name)
    s = store()
    with s.transaction():
        old = s.get(rid)
        if old is not None:
            rid, name = old["id"], old["name"]
            definition = dict(definition, name=name)
        revision = (old or {}).get("revision", 0) + 1
        doc = document.profile(rid, definition, location=location, revision=revision)
        secrets.set_secret(f"{_prefix(rid)}revision/{revision}", json.dumps(dict(definition, location=location)))
        s.put(doc)
        s.set_value(_revisions_key(rid), s.get_value(_revisions_key(rid), []) + [doc])
    return doc


def _revisions_key(rid):
    return REVISIONS_KEY + rid.lower()


def show(resource_group, name):
    return _stored(resource_group, name)


def list_profiles(resource_group=None):
    if resource_group:
        groups.get(resource_group)
    return store().list(type=PROFILE_TYPE, resource_group=resource_group)


def delete(resource_group, name):
    doc = _stored(resource_group, name)
    cleanup(doc)
    s = store()
    with s.transaction():
        s.delete(doc["id"])


def cleanup(doc):
    """What a profile leaves beside its row: its revisions and their secure values."""
    secrets.delete_prefix(_prefix(doc["id"]))
    s = store()
    with s.transaction():
        s.delete_value(_revisions_key(doc["id"]))


def list_revisions(resource_group, name):
    doc = _stored(resource_group, name)
    return store().get_value(_revisions_key(doc["id"]), [])


def _revision_number(revision):
    try:
        number = int(str(revision))
    except ValueError:
        raise ValidationError(f"The revision '{revision}' is not valid: it must be a number.") from None
    return number


def show_revision(resource_group, name, revision):
    doc = _stored(resource_group, name)
    number = _revision_number(revision)
    for row in store().get_value(_revisions_key(doc["id"]), []):
        if row["revision"] == number:
            return row
    raise _no_revision(revision, doc["name"], resource_group)


def _no_revision(revision, name, resource_group):
    return ResourceNotFound(f"The revision '{revision}' of container group profile '{name}' under resource group "
                            f"'{resource_group}' was not found.", code="ContainerGroupProfileRevisionNotFound")


def _parse_id(profile_id):
    parts = str(profile_id).strip("/").split("/")
    lowered = [p.lower() for p in parts]
    if (len(parts) != 8 or lowered[0] != "subscriptions" or lowered[2] != "resourcegroups"
            or lowered[4] != "providers" or "/".join(lowered[5:7]) != PROFILE_TYPE.lower()):
        raise ValidationError(f"(InvalidContainerGroupProfileReference) The container group profile id "
                              f"'{profile_id}' is not a valid resource id of "
                              f"'{PROFILE_TYPE}'.")
    return parts[3], parts[7]


def definition_for(profile_id, revision):
    """(the definition of a revision, secure values included; its reference as a group shows it)."""
    resource_group, name = _parse_id(profile_id)
    doc = store().get(_id(resource_group, name))
    if doc is None:
        raise not_found(PROFILE_TYPE, name, resource_group)
    number = _revision_number(revision)
    text = secrets.get_secret(f"{_prefix(doc['id'])}revision/{number}")
    if text is None:
        raise _no_revision(revision, doc["name"], resource_group)
    return json.loads(text), {"id": doc["id"], "revision": number}
