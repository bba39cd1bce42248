"""Request bodies of the Key Vault REST API, checked once: attributes (enabled, nbf, exp as Unix seconds), tags
(string to string, at most 15), content types, base64url values of the crypto operations. Each failure is the
service's 400 BadParameter; no message repeats a value it was given (values may be secrets)."""

import base64
import binascii
import re

from azlocal.keyvault.dataplane.errors import bad_parameter

MAX_TAGS = 15
_B64URL = re.compile(r"^[A-Za-z0-9_-]*$")


def attributes(body):
    """{'enabled', 'expires', 'not_before'} for the keys the body's `attributes` has (absent ones left out)."""
    attrs = body.get("attributes")
    if attrs is None:
        return {}
    if not isinstance(attrs, dict):
        raise bad_parameter("Property attributes must be an object.")
    out = {}
    if attrs.get("enabled") is not None:
        if not isinstance(attrs["enabled"], bool):
            raise bad_parameter("Property attributes.enabled must be a boolean.")
        out["enabled"] = attrs["enabled"]
    for key, name in (("exp", "expires"), ("nbf", "not_before")):
        value = attrs.get(key)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise bad_parameter(f"Property attributes.{key} must be a number of seconds since 1970-01-01.")
        out[name] = int(value)
    return out


def tags(body):
    value = body.get("tags")
    if value is None:
        return None
    if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        raise bad_parameter("Property tags must be an object of string values.")
    if len(value) > MAX_TAGS:
        raise bad_parameter(f"The number of tags exceeds the maximum of {MAX_TAGS}.")
    return value


def text(body, key, required=False):
    value = body.get(key)
    if value is None:
        if required:
            raise bad_parameter(f"Property {key} is required.")
        return None
    if not isinstance(value, str):
        raise bad_parameter(f"Property {key} must be a string.")
    return value


def b64url_decode(value, key="value"):
    if not isinstance(value, str):
        raise bad_parameter(f"Property {key} is required (base64url).")
    text = value.strip().rstrip("=").replace("+", "-").replace("/", "_")
    if not _B64URL.match(text) or len(text) % 4 == 1:
        raise bad_parameter(f"Property {key} is not valid base64url.")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise bad_parameter(f"Property {key} is not valid base64url.") from None


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()
