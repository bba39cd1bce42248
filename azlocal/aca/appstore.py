"""Container app documents in the state store: their ids, lookups and saves."""

from azlocal.core import arm
from azlocal.core.lookups import not_found
from azlocal.platform.store import group_of, store
from azlocal.resources import groups

APP_TYPE = "Microsoft.App/containerApps"


def app_id(group, name):
    return arm.resource_id(group, "Microsoft.App/containerapps", name)


def get(resource_group, name):
    groups.get(resource_group)
    return store().require(app_id(resource_group, name), not_found(APP_TYPE, name, resource_group))


def list_apps(resource_group=None, environment=None):
    if resource_group:
        groups.get(resource_group)
    apps = store().list(type=APP_TYPE, resource_group=resource_group)
    if environment:
        wanted = environment.lower()
        apps = [a for a in apps if a["properties"]["managedEnvironmentId"].lower().endswith("/" + wanted) or
                a["properties"]["managedEnvironmentId"].lower() == wanted]
    return apps


def environment_of(app):
    return store().get(app["properties"]["managedEnvironmentId"])


def group_of_app(app):
    return group_of(app["id"])


def save(*docs):
    """Puts the documents in one transaction."""
    s = store()
    with s.transaction():
        for doc in docs:
            s.put(doc)


def remove(app):
    """The app's document and its revisions' rows."""
    s = store()
    with s.transaction():
        s.delete_children(app["id"])
        s.delete(app["id"])
