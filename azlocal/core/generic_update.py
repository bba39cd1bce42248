"""az's generic update arguments (--set, --add, --remove, --force-string) over a document.

`updated_copy` is what services call: it applies the operations to a copy of the stored document,
as az applies them to the resource it GETs before its PUT, and leaves the copy to the service to
validate exactly as it validates its named arguments (Azure validates the PUT either way). The
helpers below it check the types ARM checks when it deserializes a request.
"""

import copy
import json
import re

from knack.log import get_logger

from azlocal.core.errors import ValidationError

logger = get_logger(__name__)

_INDEX = re.compile(r"^(.*)\[(-?\d+)\]$")
# Deeper than any ARM document: a longer path is a typing accident or an attack, not a property.
MAX_DEPTH = 32


def apply(doc, set_=None, add=None, remove=None, force_string=False):
    """Applies the generic update operations in az's order: set, add, remove."""
    for expression in _flatten(set_):
        path, sep, value = expression.partition("=")
        if not sep:
            raise ValidationError(f"invalid syntax: {expression}. Expected --set KEY=VALUE.")
        if not path.strip():
            raise ValidationError("usage error: Empty key in --set. Correct syntax: --set KEY=VALUE [KEY=VALUE ...]")
        parent, last = _walk(doc, path, create=True)
        _assign(parent, last, _value(value, force_string))
    for group in add or []:
        path, items = group[0], group[1:]
        parent, last = _walk(doc, path, create=False)
        if isinstance(parent, dict) and parent.get(last) is None:
            parent[last] = []  # as az: a missing list is created
        target = _get(doc, path)
        if not isinstance(target, list):
            raise ValidationError(f"invalid path for --add: '{path}' is not a list")
        entry = {}  # as az: consecutive key=value items make one object
        for item in items:
            if "=" in item and not item.lstrip().startswith(("{", "[")):
                key, _, value = item.partition("=")
                entry[key] = value  # as az: the value of a key=value item stays a string
                continue
            if entry:
                target.append(entry)
                entry = {}
            target.append(_value(item, force_string))
        if entry:
            target.append(entry)
    for group in remove or []:
        path = group[0]
        if len(group) > 2:
            raise ValidationError("usage error: --remove property.list <indexToRemove> OR --remove propertyToRemove")
        if len(group) > 1:
            target = _get(doc, path)
            try:
                del target[int(group[1])]
            except (IndexError, ValueError, TypeError) as ex:
                raise ValidationError(f"index {group[1]} doesn't exist on {path}") from ex
        else:
            parent, last = _walk(doc, path, create=False)
            try:
                del parent[last]
            except (KeyError, IndexError, TypeError) as ex:
                raise ValidationError(f"Couldn't find '{path}' in the resource.") from ex
    return doc


def _flatten(groups):
    return [item for group in groups or [] for item in group]


def _value(text, force_string):
    if force_string:
        return text
    try:
        value = json.loads(text)
    except ValueError:
        return text
    except RecursionError as ex:
        raise ValidationError(f"The value is nested more than {MAX_DEPTH} levels deep.") from ex
    if _depth(value) > MAX_DEPTH:
        raise ValidationError(f"The value is nested more than {MAX_DEPTH} levels deep.")
    return value


def _depth(value):
    depth, level = 0, [value]
    while level:
        level = [v for item in level if isinstance(item, (dict, list))
                 for v in (item.values() if isinstance(item, dict) else item)]
        depth += 1
        if depth > MAX_DEPTH:
            break
    return depth


def _split(path):
    keys = []
    for part in path.split("."):
        indexes = []
        match = _INDEX.match(part)
        while match:
            indexes.insert(0, int(match.group(2)))
            part = match.group(1)
            match = _INDEX.match(part)
        if part:
            keys.append(part)
        keys.extend(indexes)
    return keys


def _find_key(obj, key):
    # az matches property names case-insensitively and ignores camel-case differences.
    if key in obj:
        return key
    for existing in obj:
        if existing.lower() == key.lower().replace("_", ""):
            return existing
    return key


def _walk(doc, path, create):
    keys = _split(path)
    if not keys:
        raise ValidationError(f"invalid path: '{path}'")
    if len(keys) > MAX_DEPTH:
        raise ValidationError(f"Couldn't find '{path[:80]}...' in the resource: the path is more than "
                              f"{MAX_DEPTH} levels deep.")
    current = doc
    for key in keys[:-1]:
        if isinstance(key, int):
            try:
                current = current[key]
            except (IndexError, TypeError) as ex:
                raise ValidationError(f"index {key} doesn't exist on {path}") from ex
            continue
        if not isinstance(current, dict):
            raise ValidationError(f"Couldn't find '{path}' in the resource.")
        found = _find_key(current, key)
        if current.get(found) is None:
            if not create:
                raise ValidationError(f"Couldn't find '{path}' in the resource.")
            current[found] = {}
        current = current[found]
    last = keys[-1]
    if isinstance(current, dict) and not isinstance(last, int):
        last = _find_key(current, last)
    return current, last


def _assign(parent, key, value):
    try:
        parent[key] = value
    except (IndexError, TypeError) as ex:
        raise ValidationError(f"Couldn't set '{key}'") from ex


def _get(doc, path):
    parent, last = _walk(doc, path, create=False)
    try:
        return parent[last]
    except (KeyError, IndexError, TypeError) as ex:
        raise ValidationError(f"Couldn't find '{path}' in the resource.") from ex


# For services: the update on a copy, and ARM's request checks --------------------------------------

def updated_copy(doc, set_=None, add=None, remove=None, force_string=False, read_only=()):
    """The document as the generic update leaves it, on a copy (the stored one is untouched).

    Properties the resource does not have are dropped, as ARM ignores them, with az's warning;
    a top-level property removed outright is left as it was (a PATCH without it changes nothing);
    `read_only` properties (dotted paths) keep their stored values, as ARM ignores read-only ones.
    """
    new = copy.deepcopy(doc)
    if not (set_ or add or remove):
        return new
    apply(new, set_, add, remove, force_string)
    for key in [k for k in new if k not in doc]:
        logger.warning("Property '%s' not found on root. Send it as an additional property .", key)
        del new[key]
    for key in doc:
        if key not in new:
            new[key] = copy.deepcopy(doc[key])
    for path in read_only:
        _restore(doc, new, path.split("."))
    return new


def _restore(old, new, keys):
    for key in keys[:-1]:
        if not isinstance(old.get(key), dict) or not isinstance(new.get(key), dict):
            return  # a parent of the wrong type is the validator's to refuse
        old, new = old[key], new[key]
    if keys[-1] in old:
        new[keys[-1]] = copy.deepcopy(old[keys[-1]])
    else:
        new.pop(keys[-1], None)


def invalid_content(message, path):
    """ARM's answer to a request body it cannot deserialize."""
    return ValidationError(f"(InvalidRequestContent) The request content was invalid and could not be "
                           f"deserialized: '{message} Path '{path}'.'")


def check_bool(doc, key, path=None, nullable=False):
    value = doc.get(key)
    if value is None and nullable:
        return
    if not isinstance(value, bool):
        raise invalid_content(f"Could not convert {json.dumps(value)} to boolean.", path or key)


def check_choice(doc, key, choices, path=None, nullable=False, lower=False):
    """An enum property: any casing is accepted and stored in Azure's casing."""
    value = doc.get(key)
    if value is None and nullable:
        return
    for choice in choices:
        if isinstance(value, str) and value.lower() == choice.lower():
            doc[key] = choice.lower() if lower else choice
            return
    allowed = ", ".join(choices)
    raise ValidationError(f"(InvalidParameter) The value {json.dumps(value)} is not valid for "
                          f"'{path or key}'. Allowed values: {allowed}.")


def check_int(doc, key, low, high, path=None):
    value = doc.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise invalid_content(f"Could not convert {json.dumps(value)} to integer.", path or key)
    if not low <= value <= high:
        raise ValidationError(f"(InvalidParameter) The value {value} of '{path or key}' is out of range: it "
                              f"must be between {low} and {high}.")


def check_object(doc, key, path=None, nullable=True):
    value = doc.get(key)
    if value is None and nullable:
        return {}
    if not isinstance(value, dict):
        raise invalid_content(f"Cannot deserialize {json.dumps(value)} into an object.", path or key)
    return value


def check_string(doc, key, path=None, nullable=True, max_length=None):
    value = doc.get(key)
    if value is None and nullable:
        return
    if not isinstance(value, str):
        raise invalid_content(f"Cannot deserialize {json.dumps(value)} into a string.", path or key)
    if max_length is not None and len(value) > max_length:
        raise ValidationError(f"(InvalidParameter) '{path or key}' is longer than {max_length} characters.")


def check_tags(doc, key="tags"):
    """Tags are a map of strings: az's SDK serializes other values with str(); ARM's limits apply."""
    tags = doc.get(key)
    if tags is None:
        return
    if not isinstance(tags, dict):
        raise invalid_content(f"Cannot deserialize {json.dumps(tags)} into a dictionary of strings.", key)
    if len(tags) > 50:
        raise ValidationError("(InvalidTemplate) The number of tags exceeds the limit of 50.")
    for name in list(tags):
        value = tags[name]
        if value is None:
            raise invalid_content(f"The value of tag '{name}' is null.", f"{key}.{name}")
        if not isinstance(value, str):
            tags[name] = str(value)
        if len(name) > 512 or len(tags[name]) > 256:
            raise ValidationError(f"(InvalidTagNameLength) The tag '{name[:80]}' is too long: tag names are "
                                  "limited to 512 characters and values to 256 characters.")
        if not name or any(c in name for c in '<>%&\\?/') or any(ord(c) < 32 for c in name):
            raise ValidationError(f"(InvalidTagNameCharacters) The tag names '{name}' have reserved characters "
                                  "'<,>,%,&,\\,?,/' or control characters.")
