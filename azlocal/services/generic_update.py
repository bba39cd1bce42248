"""az's generic update arguments (--set, --add, --remove, --force-string) over a document."""

import json
import re

from azlocal.errors import ValidationError

_INDEX = re.compile(r"^(.*)\[(-?\d+)\]$")


def apply(doc, set_=None, add=None, remove=None, force_string=False):
    """Applies the generic update operations in az's order: set, add, remove."""
    for expression in _flatten(set_):
        path, sep, value = expression.partition("=")
        if not sep:
            raise ValidationError(f"invalid syntax: {expression}. Expected --set KEY=VALUE.")
        parent, last = _walk(doc, path, create=True)
        _assign(parent, last, _value(value, force_string))
    for group in add or []:
        path, items = group[0], group[1:]
        target = _get(doc, path)
        if not isinstance(target, list):
            raise ValidationError(f"invalid path for --add: '{path}' is not a list")
        for item in items:
            if "=" in item and not item.lstrip().startswith(("{", "[")):
                key, _, value = item.partition("=")
                target.append({key: _value(value, force_string)})
            else:
                target.append(_value(item, force_string))
    for group in remove or []:
        path = group[0]
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
        return json.loads(text)
    except ValueError:
        return text


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
