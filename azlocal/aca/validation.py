"""The checks Azure makes on a container app's names, resources and template, with its error texts."""

import re

from azlocal.core import generic_update, safepath
from azlocal.core.errors import AzLocalError, ValidationError

_APP_NAME = re.compile(r"^(?=.{1,32}$)[a-z]((?!.*--)[-a-z0-9]*[a-z0-9])?$")
_SUFFIX = re.compile(r"^[a-z0-9](?!.*-{2})([-a-z0-9]*[a-z0-9])?$")
_SECRET = re.compile(r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
ALLOWED_RESOURCES = [(0.25 * i, 0.5 * i) for i in range(1, 9)]


def check_app_name(name):
    if not _APP_NAME.match(name or ""):
        raise ValidationError(f"Invalid ContainerApp name {name}. A name must consist of lower case alphanumeric "
                              "characters or '-', start with a letter, end with an alphanumeric character, cannot "
                              "have '--', and must be less than 32 characters.")


def check_secret_name(key):
    if not _SECRET.match(key) or len(key) > 253:
        raise ValidationError(f"(ContainerAppInvalidSecretName) Secret name has an invalid value '{key}'. A value "
                              "must consist of lower case alphanumeric characters, '-', and must start and end "
                              "with an alphanumeric character. The length must not be more than 253 characters.")


def check_suffix(suffix):
    if suffix is not None and (not _SUFFIX.match(suffix) or len(suffix) > 64):
        raise ValidationError(f"Invalid Container App revision suffix '{suffix}'. A revision suffix must consist of "
                              "lower case alphanumeric characters or '-', start with a letter or number, end with "
                              "an alphanumeric character and cannot have '--'.")


def memory(value):
    """`1.0Gi`, `0.5` -> `1Gi`, `0.5Gi`: as the service returns it."""
    if value is None:
        return None
    text = str(value)
    number = text[:-2] if text.endswith("Gi") else text
    try:
        value = float(number)
    except ValueError:
        raise ValidationError('Usage error: --memory must be a number ending with "Gi"')
    return f"{value:g}Gi"


def check_resources(template):
    cpu = sum(float(c["resources"]["cpu"]) for c in template["containers"])
    total = sum(float(str(c["resources"]["memory"]).rstrip("Gi")) for c in template["containers"])
    if not any(abs(cpu - a) < 1e-6 and abs(total - b) < 1e-6 for a, b in ALLOWED_RESOURCES):
        combos = "; ".join(f"[cpu: {a:g}, memory: {b:.1f}Gi]" for a, b in ALLOWED_RESOURCES)
        raise AzLocalError(f"(ContainerAppInvalidResourceTotal) The total requested CPU and memory resources for "
                           f"this application (CPU: {cpu:g}, memory: {total:g}) is invalid. Total CPU and memory "
                           f"for all containers defined in a Container App must add up to one of the following "
                           f"CPU - Memory combinations: {combos}")


def check_secret_refs(template, secret_names):
    names = {s.lower() for s in secret_names}
    for c in template["containers"]:
        for e in c.get("env") or []:
            if e.get("secretRef") and e["secretRef"].lower() not in names:
                raise AzLocalError(f"(ContainerAppSecretRefNotFound) SecretRef '{e['secretRef']}' defined for "
                                   f"container '{c['name']}' not found.")


# A template that --set/--add/--remove or a YAML changed -----------------------------------------

def _fail(path, what):
    raise generic_update.invalid_content(f"The value must be {what}.", f"properties.template.{path}")


def _check_container_shape(c, where, main):
    if not isinstance(c, dict):
        _fail(where, "an object")
    if not isinstance(c.get("name"), str) or not _SUFFIX.match(c["name"]) or len(c["name"]) > 63:
        _fail(f"{where}.name", "lower case alphanumeric characters or '-', at most 63")
    if not isinstance(c.get("image"), str) or not c["image"].strip() or any(x.isspace() for x in c["image"]):
        _fail(f"{where}.image", "an image name")
    resources = c.get("resources")
    if main:
        if not isinstance(resources, dict) or resources.get("cpu") is None or resources.get("memory") is None:
            _fail(f"{where}.resources", "an object with cpu and memory")
        if isinstance(resources["cpu"], bool) or not isinstance(resources["cpu"], (int, float)) or \
                resources["cpu"] <= 0:
            _fail(f"{where}.resources.cpu", "a positive number")
        resources["memory"] = memory(resources["memory"])


def _check_container_lists(c, where):
    for key in ("command", "args"):
        if c.get(key) is not None and (not isinstance(c[key], list) or not all(isinstance(x, str) for x in c[key])):
            _fail(f"{where}.{key}", "a list of strings")
    for key in ("env", "volumeMounts"):
        if not isinstance(c.get(key) or [], list):
            _fail(f"{where}.{key}", "a list")
    for j, e in enumerate(c.get("env") or []):
        if not isinstance(e, dict) or not isinstance(e.get("name"), str) or not e["name"] or \
                not isinstance(e.get("value", e.get("secretRef", "")), str):
            _fail(f"{where}.env[{j}]", "an object with a name and a string value or secretRef")
    for j, m in enumerate(c.get("volumeMounts") or []):
        if not isinstance(m, dict) or not isinstance(m.get("volumeName"), str) or \
                not isinstance(m.get("mountPath"), str) or not m["mountPath"].startswith("/"):
            _fail(f"{where}.volumeMounts[{j}]", "an object with a volumeName and an absolute mountPath")


def _check_scale(scale):
    if not isinstance(scale, dict):
        _fail("scale", "an object")
    low, high = scale.get("minReplicas"), scale.get("maxReplicas")
    for key, value, least in (("minReplicas", low, 0), ("maxReplicas", high, 1)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or
                                  not least <= value <= 1000):
            _fail(f"scale.{key}", f"an integer in the range [{least},1000]")
    if low is not None and high is not None and low > high:
        raise ValidationError("(ContainerAppInvalidScaleRange) minReplicas cannot be greater than maxReplicas.")
    if not isinstance(scale.get("rules") or [], list):
        _fail("scale.rules", "a list")


def check_template(template):
    """The types and rules Azure checks in a template."""
    if not isinstance(template, dict):
        _fail("", "an object")
    containers = template.get("containers")
    if not isinstance(containers, list) or not containers:
        _fail("containers", "a non-empty list")
    for key in ("initContainers", "volumes"):
        if not isinstance(template.get(key) or [], list):
            _fail(key, "a list")
    init = list(template.get("initContainers") or [])
    for i, c in enumerate(containers + init):
        main = i < len(containers)
        where = f"containers[{i}]" if main else f"initContainers[{i - len(containers)}]"
        _check_container_shape(c, where, main)
        _check_container_lists(c, where)
    for j, v in enumerate(template.get("volumes") or []):
        if not isinstance(v, dict):
            _fail(f"volumes[{j}]", "an object")
        safepath.check_name("volume", v.get("name"))
    _check_scale(template.get("scale"))
    check_suffix(template.get("revisionSuffix") or None)
