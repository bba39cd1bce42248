"""What deleting a resource group (or `azlocal reset`) must remove outside the state store.

Each service that owns Docker objects, files or secrets registers a cleaner for its resource
type below: "module:function", called with the resource's document before its row goes.
Cleaners are imported only when a resource of their type is deleted, to keep startup fast.
"""

import importlib

from knack.log import get_logger

from azlocal.state.store import store

logger = get_logger(__name__)

# lower-cased resource type -> "module:function(doc)"
CLEANERS = {
    "microsoft.containerregistry/registries": "azlocal.services.registries:cleanup",
    "microsoft.containerinstance/containergroups": "azlocal.services.containergroups:cleanup",
    "microsoft.app/managedenvironments": "azlocal.services.containerapps:cleanup_environment",
    "microsoft.app/containerapps": "azlocal.services.containerapps:cleanup_app",
}


def register(resource_type, target):
    CLEANERS[resource_type.lower()] = target


def clean_resource(doc):
    target = CLEANERS.get(doc["type"].lower())
    if not target:
        return
    module, _, function = target.partition(":")
    getattr(importlib.import_module(module), function)(doc)


def delete_group_contents(group):
    """Runs every cleaner for the group's resources, then sweeps Docker objects labelled with it."""
    resources = [r for r in store().list(resource_group=group)
                 if r["type"].lower() != "microsoft.resources/resourcegroups"]
    if not resources:
        return
    for doc in resources:
        try:
            clean_resource(doc)
        except Exception as ex:  # one failing cleaner must not leave the rest behind
            logger.warning("Could not fully clean up %s: %s", doc["id"], ex)
    from azlocal.engine import labels

    labels.remove_labelled(group=group)
