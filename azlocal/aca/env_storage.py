"""Storages of managed environments: Azure Files shares of azlocal storage accounts that the
environment's apps mount as volumes (storageType AzureFile, storageName).

A storage is a child row of its environment (Microsoft.App/managedEnvironments/storages) that shows
its account, share and access mode; the account key lives in the secret store, never in the row, and
is checked as ACI's Azure Files volumes check it: the account must exist and allow shared-key access,
the key must be one of its keys and the share must exist. A replica mounts the share's folder
(azlocal.storage.paths.share_dir), read-only for a ReadOnly storage, so what an app writes is what
`az storage file list` shows. A storage that an app's volumes name cannot be removed.
"""

import os
import re

from knack.log import get_logger

from azlocal.core.errors import AzLocalError, ValidationError
from azlocal.core.lookups import not_found
from azlocal.platform import secrets
from azlocal.platform.store import group_of, store

logger = get_logger(__name__)

STORAGE_TYPE = "Microsoft.App/managedEnvironments/storages"
ACCESS_MODES = ("ReadOnly", "ReadWrite")
_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]{0,30}[a-z0-9])?$")


class Source(str):
    """A replica volume's host folder that Docker binds with `mode` (see azlocal.aca.revisions.mounts).
    Two volumes may name the same share (a read-write and a read-only storage): as keys of the mounts they
    stay two, so they compare and hash by identity, not by their text."""
    mode = "rw"
    account = share = None
    __eq__ = object.__eq__
    __hash__ = object.__hash__


class ReadOnlySource(Source):
    mode = "ro"


def storage_id(env_doc, name):
    return f"{env_doc['id']}/storages/{name}"


def _key_secret(rid):
    return f"{secrets.resource_prefix('aca', rid)}accountkey"


def _env(resource_group, env_name):
    from azlocal.aca import environments

    return environments.get(resource_group, env_name)


def check_share(account, share, key, what):
    """Refuses an account, key or share that would not mount, before anything is written."""
    from azlocal.storage import accounts, paths

    found = accounts.find(account)
    if found is None:
        raise AzLocalError(f"{what} the storage account '{account}' was not found.")
    if found.get("allowSharedKeyAccess") is False:  # the SMB mount uses the key: refused as any key use is
        raise AzLocalError(f"{what} key based authentication is not permitted on storage account '{account}' "
                           "(allowSharedKeyAccess is false).")
    if not accounts.check_key(account, key):
        raise AzLocalError(f"{what} the storage account key is not a key of storage account '{account}'.")
    if not paths.share_dir(account, share).is_dir():
        raise AzLocalError(f"{what} the file share '{share}' was not found in storage account '{account}'.")


def set_storage(resource_group, env_name, name, *, account, share, key, access_mode):
    if len(share or "") < 3:
        raise ValidationError("File share name must be longer than 2 characters.")
    if len(account or "") < 3:
        raise ValidationError("Account name must be longer than 2 characters.")
    if not _NAME.match(name or ""):
        raise ValidationError(f"(ManagedEnvironmentStorageInvalidName) Invalid storage name '{name}'. A name must "
                              "be 1-32 lower case letters, digits or '-', starting and ending with a letter or digit.")
    env_doc = _env(resource_group, env_name)
    mode = next((m for m in ACCESS_MODES if m.lower() == str(access_mode).lower()), None)
    if mode is None:
        raise ValidationError(f"--access-mode must be one of {', '.join(ACCESS_MODES)}")
    rid = storage_id(env_doc, name)
    existing = store().get(rid)
    if existing is not None:
        logger.warning("Only AzureFile account keys can be updated. In order to change the AzureFile share name or "
                       "account name, please delete this storage and create a new one.")
        old = existing["properties"]["azureFile"]
        if (old["accountName"], old["shareName"]) != (account, share) and apps_using(env_doc, name):
            raise AzLocalError(f"(ManagedEnvironmentStorageInUse) The storage '{name}' is used by container apps "
                               f"({', '.join(a['name'] for a in apps_using(env_doc, name))}); only its account key "
                               "can change.")
    check_share(account, share, key, f"(ManagedEnvironmentStorageInvalid) The storage '{name}' cannot mount its Azure "
                                     "Files share:")
    doc = {"id": rid, "name": name, "type": STORAGE_TYPE,
           "properties": {"azureFile": {"accessMode": mode, "accountKey": None, "accountName": account,
                                        "shareName": share}}}
    secrets.set_secret(_key_secret(rid), key)
    s = store()
    with s.transaction():
        s.put(doc, resource_group=group_of(env_doc["id"]))
    return doc


def get(resource_group, env_name, name):
    env_doc = _env(resource_group, env_name)
    return _require(env_doc, name)


def _require(env_doc, name):
    doc = store().get(storage_id(env_doc, name))
    if doc is None:
        raise not_found(STORAGE_TYPE, f"{env_doc['name']}/{name}", group_of(env_doc["id"]))
    return doc


def list_storages(resource_group, env_name):
    env_doc = _env(resource_group, env_name)
    return [d for d in store().list(parent_id=env_doc["id"]) if d["type"].lower() == STORAGE_TYPE.lower()]


def apps_using(env_doc, name):
    """The environment's apps (and jobs) whose template has an AzureFile volume of storage `name`."""
    out = []
    for kind in ("Microsoft.App/containerApps", "Microsoft.App/jobs"):
        for doc in store().list(type=kind):
            props = doc.get("properties") or {}
            env_id = props.get("managedEnvironmentId") or props.get("environmentId") or ""
            if env_id.lower() != env_doc["id"].lower():
                continue
            volumes = (props.get("template") or {}).get("volumes") or []
            if any(str(v.get("storageType") or "").lower() == "azurefile" and
                   str(v.get("storageName") or "").lower() == name.lower() for v in volumes):
                out.append(doc)
    return out


def remove(resource_group, env_name, name):
    env_doc = _env(resource_group, env_name)
    doc = _require(env_doc, name)
    users = apps_using(env_doc, name)
    if users:
        raise AzLocalError(f"(ManagedEnvironmentStorageInUse) The storage '{name}' cannot be removed: it is used by "
                           f"{', '.join(u['name'] for u in users)}. Remove the volumes that use it first.")
    cleanup_storage(doc)
    s = store()
    with s.transaction():
        s.delete(doc["id"])


def volume_source(env_doc, volume):
    """The host folder a replica binds for one AzureFile volume of its template (checked again: a key
    renewed or a share deleted since `env storage set` no longer mounts)."""
    name = volume.get("storageName")
    what = f"(ContainerAppVolumeMountFailed) The volume '{volume.get('name')}' cannot mount storage '{name}':"
    if not name:
        raise AzLocalError(f"{what} an AzureFile volume needs a storageName (an environment storage).")
    doc = store().get(storage_id(env_doc, name))
    if doc is None:
        raise AzLocalError(f"{what} the environment '{env_doc['name']}' has no such storage (az containerapp env "
                           "storage set).")
    share = doc["properties"]["azureFile"]
    check_share(share["accountName"], share["shareName"], secrets.get_secret(_key_secret(doc["id"])), what)
    return _source(share["accountName"], share["shareName"], "", share["accessMode"] == "ReadOnly")


def _source(account, share, sub, read_only):
    from azlocal.storage import paths

    source = (ReadOnlySource if read_only else Source)(str(paths.share_path(account, share, sub)))
    source.account, source.share = account, share
    return source


def sub_path(source, sub):
    """A volume mount's subPath: that folder of the share (made when missing, as Azure makes it), its name
    checked by Azure Files' rules and confined to the share. Other volumes keep their whole source."""
    if not isinstance(source, Source) or not sub:
        if sub:
            logger.warning("subPath '%s' applies to AzureFile volumes here; the whole volume is mounted.", sub)
        return source
    from azlocal.storage.storage_errors import StorageError

    try:
        folder = _source(source.account, source.share, sub, source.mode == "ro")
    except StorageError as ex:
        raise AzLocalError(f"(ContainerAppInvalidVolumeMount) The subPath '{sub}' is not a valid folder name of an "
                           "Azure Files share.") from ex
    os.makedirs(folder, exist_ok=True)
    return folder


def check_template(env_doc, template):
    """Every AzureFile volume of a template names a storage of its environment (before anything starts)."""
    from azlocal.storage.paths import split_path
    from azlocal.storage.storage_errors import StorageError

    shares = {v.get("name") for v in (template or {}).get("volumes") or []
              if str(v.get("storageType") or "").lower() == "azurefile"}
    for v in (template or {}).get("volumes") or []:
        if v.get("name") in shares:
            volume_source(env_doc, v)
    for c in (template or {}).get("containers") or []:
        for m in c.get("volumeMounts") or []:
            if m.get("subPath") and m.get("volumeName") in shares:
                try:
                    split_path(m["subPath"])
                except StorageError:
                    raise AzLocalError(f"(ContainerAppInvalidVolumeMount) The subPath '{m['subPath']}' is not a valid "
                                       "folder name of an Azure Files share.") from None


def cleanup_storage(doc):
    """What deleting `doc`'s group removes outside the store (see azlocal.platform.cleanup): its key."""
    secrets.delete_secret(_key_secret(doc["id"]))
