"""What deleting a resource group (or `azlocal reset`) must remove outside the state store.

Each service that owns Docker objects, files or secrets declares a cleaner per resource type in its
package's `__init__`: `CLEANERS = {"<lower-cased type>": "module:function"}`, the function called
with the resource's document before its row goes. The service packages are listed once, in
`settings.SERVICE_PACKAGES`; the platform names no service. The table is read on first use, and a
cleaner's module is imported only when a resource of its type is deleted, to keep startup fast.
"""

import functools
import importlib
import shutil

from knack.log import get_logger

from azlocal.core import settings
from azlocal.platform import memfs, secrets
from azlocal.platform.store import store

logger = get_logger(__name__)

@functools.lru_cache(maxsize=1)
def declared():
    """lower-cased resource type -> "module:function(doc)", as the service packages declare them."""
    table = {}
    for package in settings.SERVICE_PACKAGES:
        for resource_type, target in getattr(importlib.import_module(package), "CLEANERS", {}).items():
            key = resource_type.lower()
            if key in table:
                raise RuntimeError(f"two cleaners for {key}: {table[key]} and {target} ({package})")
            table[key] = target
    return table


def cleaners():
    return dict(declared())


def __getattr__(name):  # CLEANERS: the whole table, as `cleaners()`
    if name == "CLEANERS":
        return cleaners()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def clean_resource(doc):
    target = cleaners().get(doc["type"].lower())
    if not target:
        return
    module, _, function = target.partition(":")
    getattr(importlib.import_module(module), function)(doc)


def delete_group_contents(group):
    """Runs every cleaner for the group's resources, then always (rows or not: a command killed
    half-way leaves objects but no row) sweeps this home's Docker objects labelled with the group
    and the group's secrets, found by key, with their secret folders."""
    resources = [r for r in store().list(resource_group=group)
                 if r["type"].lower() != "microsoft.resources/resourcegroups"]
    for doc in resources:
        try:
            clean_resource(doc)
        except Exception as ex:  # one failing cleaner must not leave the rest behind
            logger.warning("Could not fully clean up %s: %s", doc["id"], ex)
    sweep_group(group, rows=bool(resources))


def sweep_group(group, rows=True):
    """What the group may have left outside the store: labelled Docker objects of this home (never
    another home's), its secrets, and the secret folders named after its resources."""
    from azlocal.platform.engine import docker_client, labels

    if rows or docker_client.reachable():  # with rows, an unreachable engine fails the delete (rows kept)
        labels.remove_labelled(group=group)
    for key in secrets.delete_group(group):
        for folder in secret_folders(key):
            shutil.rmtree(folder, ignore_errors=True)
        memfs.remove(key[:10])  # a container group's secret volume files in memory


def secret_folders(resource_key):
    """A resource's secret folders in the home: named by the first digits of its secret key's hash
    (containergroups: aci-secrets/<10>, revisions: aca-secrets/<12>)."""
    home = settings.home()
    return [home / "aci-secrets" / resource_key[:10], home / "aca-secrets" / resource_key[:12]]
