"""Resource groups: the ARM shape, and the cascade that deletes everything inside one."""

import re
import time

from azlocal.core import arm, generic_update, parsing
from azlocal.core.errors import ResourceNotFound, ValidationError
from azlocal.core.locations import normalise_location
from azlocal.platform import cleanup
from azlocal.platform.store import store

GROUP_TYPE = "Microsoft.Resources/resourceGroups"
_NAME = re.compile(r"^[-\w._()]{1,90}$")


def _not_found(name):
    return ResourceNotFound(f"Resource group '{name}' could not be found.", code="ResourceGroupNotFound")


def get(name):
    return store().require(arm.group_id(name), _not_found(name))


def require(name):
    """The group's document, or the error ARM gives a resource created in a missing group."""
    return get(name)


def exists(name):
    return store().get(arm.group_id(name)) is not None


def create(name, location, tags=None, managed_by=None):
    if not _NAME.match(name or "") or name.endswith("."):
        raise ValidationError(
            f"Resource group '{name}' is invalid. Names can contain letters, digits, underscores, "
            "periods, hyphens and parentheses, up to 90 characters, and cannot end in a period."
        )
    location = normalise_location(location)
    s = store()
    with s.transaction():
        existing = s.get(arm.group_id(name))
        if existing is not None:
            # ARM's create is a PUT: it updates tags and keeps the group's original name and location.
            if existing["location"] != location:
                raise ValidationError(
                    f"(InvalidResourceGroupLocation) Invalid resource group location '{location}'. The "
                    f"Resource group already exists in location '{existing['location']}'."
                )
            existing["tags"] = tags if tags is not None else existing.get("tags")
            existing["managedBy"] = managed_by or existing.get("managedBy")
            s.put(existing, resource_group=existing["name"])
            return existing
        doc = {
            "id": arm.group_id(name),
            "location": location,
            "managedBy": managed_by,
            "name": name,
            "properties": {"provisioningState": "Succeeded"},
            "tags": tags,
            "type": GROUP_TYPE,
        }
        s.put(doc, resource_group=name)
    return doc


def list_groups(tag=None):
    groups = store().list(type=GROUP_TYPE)
    if tag:
        [(key, value)] = parsing.pairs([tag])  # `key` alone matches any value
        groups = [g for g in groups if key in (g.get("tags") or {}) and (not value or g["tags"][key] == value)]
    return groups


def update(name, tags=None, set_=None, add=None, remove=None, force_string=False):
    s = store()
    with s.transaction():
        doc = s.require(arm.group_id(name), _not_found(name))
        if tags is not None:
            doc["tags"] = tags  # az applies the named arguments first, then --set/--add/--remove
        new = generic_update.updated_copy(doc, set_, add, remove, force_string, read_only=_READ_ONLY)
        _validate(new)
        s.put(new, resource_group=new["name"])
    return new


# What ARM does not let a PATCH change: identity, location, provisioning state.
_READ_ONLY = ("id", "name", "type", "location", "properties.provisioningState")


def _validate(doc):
    """The checks ARM applies to a resource group's PATCH body, whatever set its values."""
    generic_update.check_tags(doc)
    generic_update.check_string(doc, "managedBy")
    generic_update.check_object(doc, "properties", nullable=False)


def delete(name):
    """Deletes the group and everything in it: rows, Docker objects, secrets, files."""
    doc = get(name)
    cleanup.delete_group_contents(doc["name"])
    s = store()
    with s.transaction():
        for resource in s.list(resource_group=doc["name"]):
            s.delete(resource["id"])
        s.delete(doc["id"])


def wait(name, created=False, deleted=False, exists_=False, updated=False, custom=None, interval=30, timeout=3600):
    if custom:
        import jmespath

        try:
            jmespath.compile(custom)  # a malformed condition fails now, not after --timeout
        except RecursionError as ex:
            raise ValidationError("Invalid jmespath query supplied for `--custom`: the expression is nested too "
                                  "deeply.") from ex
    deadline = time.monotonic() + timeout
    # Polling the local store is cheap: poll often, whatever --interval says, up to it.
    step = min(max(interval, 0.1), 0.5)
    while True:
        doc = store().get(arm.group_id(name))
        if _condition_met(doc, created, deleted, exists_, updated, custom):
            return
        if time.monotonic() >= deadline:
            raise ValidationError(f"Wait operation timed-out after {timeout} seconds")
        time.sleep(step)


def _condition_met(doc, created, deleted, exists_, updated, custom):
    if deleted:
        return doc is None
    if doc is None:
        return False
    if custom:
        import jmespath

        return bool(jmespath.search(custom, doc))
    if created or updated:
        return doc["properties"]["provisioningState"] == "Succeeded"
    return True
