"""A container group's volumes on the host: emptyDir (a Docker volume), secret (files in memory),
azureFile (a share of an azlocal storage account), gitRepo (a clone).

Secret volumes live in memory, as Azure keeps them: a folder of a tmpfs (`/dev/shm`, or
`$XDG_RUNTIME_DIR`) of this home's own, mode 0700,

    <tmpfs>/azlocal-<home hash>/<group key>/<volume>/<file>

bind-mounted (read-only) into every container of the group that mounts the volume: one copy for the
group, nothing on the host's disk, and the containers see a tmpfs at the mount path. The files come
from the secret store; `start`/`restart` write them again (a reboot empties the tmpfs). An Azure Files
volume mounts the share's folder of an azlocal storage account (azlocal.storage.paths.share_dir),
after the account, its key and the share were checked, before anything of the group exists.
"""

import base64
import json

from knack.log import get_logger

from azlocal.aci.lookup import _secret_prefix, _short
from azlocal.core import safepath
from azlocal.core.errors import AzLocalError
from azlocal.platform import memfs, secrets
from azlocal.platform.engine import labels, objects

logger = get_logger(__name__)


def _names(doc):
    from azlocal.aci.runtime import _names as names

    return names(doc)


def check(props, doc_name):
    """Refuses, before anything is created, an Azure Files volume whose storage account, key or share
    is not there (Azure reports such a volume as FailedMountAzureFileVolume: the mount fails)."""
    for v in props["volumes"]:
        if "azureFile" not in v:
            continue
        from azlocal.storage import accounts, paths  # only for groups that mount a share

        share = v["azureFile"]
        account, name = share.get("storageAccountName"), share.get("shareName")
        failed = (f"(FailedMountAzureFileVolume) Failed to mount Azure File Volume '{v['name']}' of container "
                  f"group '{doc_name}':")
        found = accounts.find(account)
        if found is None:
            raise AzLocalError(f"{failed} the storage account '{account}' was not found.")
        if found.get("allowSharedKeyAccess") is False:  # SMB mounts use the key: refused as for any key use
            raise AzLocalError(f"{failed} key based authentication is not permitted on storage account "
                               f"'{account}' (allowSharedKeyAccess is false).")
        if not accounts.check_key(account, share.get("storageAccountKey")):
            raise AzLocalError(f"{failed} the storage account key is not a key of storage account '{account}'.")
        if not paths.share_dir(account, name).is_dir():
            raise AzLocalError(f"{failed} the file share '{name}' was not found in storage account '{account}'.")


def check_stored(doc):
    """The same check for a stored group about to be deployed again (`start`): its Azure Files volumes
    with the keys they were created with (a key renewed since, or a share deleted, no longer mounts)."""
    prefix = _secret_prefix(doc["id"])
    shown = [v for v in doc.get("volumes") or [] if v.get("azureFile")]
    volumes = [{"name": v["name"], "azureFile": dict(v["azureFile"], storageAccountKey=secrets.get_secret(
        f"{prefix}azurefile/{v['name']}"))} for v in shown]
    check({"volumes": volumes}, doc["name"])


def volume_binds(doc, props, created):
    """Docker volumes / folders for the group's volumes: name -> host source."""
    from azlocal.platform.store import group_of

    sources = {}
    for v in props["volumes"]:
        if "emptyDir" in v:
            vol = objects.create_volume(f"{_names(doc)[2]}-{v['name']}",
                                        labels.labels_for(group=group_of(doc["id"]), resource_id=doc["id"]))
            created.append(vol)
            sources[v["name"]] = vol.name
        elif "secret" in v:
            sources[v["name"]] = str(_write_secret_files(doc, v["name"], v["secret"]))
        elif "azureFile" in v:
            # the share's folder: what one group writes, another group mounting the share reads, and
            # it outlives the groups, as a share does
            from azlocal.storage import paths

            share = v["azureFile"]
            sources[v["name"]] = str(paths.share_dir(share["storageAccountName"], share["shareName"]))
        elif "gitRepo" in v:
            folder = safepath.home_path("aci-secrets", _short(doc["id"]), ("volume", "gitrepo-" + v["name"]))
            _clone(v["gitRepo"], folder)
            sources[v["name"]] = str(folder)
    return sources


def read_only(props, volume_name):
    """Whether the volume itself is read-only (an Azure Files volume's readOnly)."""
    for v in props["volumes"]:
        if v["name"] == volume_name and "azureFile" in v:
            return bool(v["azureFile"].get("readOnly"))
    return False


def memory_root():
    """This home's folder on a tmpfs (created 0700), or None when the machine has no tmpfs to offer."""
    return memfs.root()


def _secret_folder(doc, volume_name):
    root = memory_root()
    if root is None:
        logger.warning("This machine offers no tmpfs (/dev/shm): the secret volume '%s' is kept on disk in "
                       "azlocal's home instead of in memory.", volume_name)
        return safepath.home_path("aci-secrets", _short(doc["id"]), ("volume", volume_name))
    return safepath.home_path(_short(doc["id"]), ("volume", volume_name), base=root)


def _write_secret_files(doc, volume_name, files):
    folder = _secret_folder(doc, volume_name)
    folder.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    folder.mkdir(exist_ok=True)
    folder.chmod(0o755)  # inside a 0700 folder: any user of the container reads the files, no one else
    for fname, b64 in files.items():
        path = safepath.home_path(("secret file", fname), base=folder)
        if path.exists():
            path.chmod(0o600)
        path.write_bytes(base64.b64decode(b64))
        path.chmod(0o444)
    return folder


def restore_memory_files(doc):
    """Writes a group's secret volumes again (from the secret store) before its containers start."""
    prefix = _secret_prefix(doc["id"])
    for v in doc.get("volumes") or []:
        if v.get("secret") is not None:
            files = json.loads(secrets.get_secret(f"{prefix}volume/{v['name']}") or "{}")
            _write_secret_files(doc, v["name"], files)


def remove_memory_files(doc):
    """Removes a group's secret files from memory (the group is deleted or redeployed)."""
    memfs.remove(_short(doc["id"]))


def _clone(repo, folder):
    """A gitRepo volume, as ACI fills it: the repository cloned (into `directory` when not '.'), at
    `revision` when given. Only git's own transports; the URL is never read as an option."""
    import shutil
    import subprocess

    if shutil.which("git") is None:
        raise AzLocalError("(GitRepoVolumeFailed) A git repo volume needs the 'git' program on this machine.")
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    folder.chmod(0o700)
    directory = (repo.get("directory") or ".").strip("/") or "."
    target = folder if directory == "." else folder / directory
    git = ["git", "-c", "protocol.ext.allow=never", "-c", "core.hooksPath=/dev/null"]
    try:
        subprocess.run([*git, "clone", "--quiet", "--", repo["repository"], str(target)], check=True,
                       capture_output=True, timeout=300, stdin=subprocess.DEVNULL,
                       env={"GIT_TERMINAL_PROMPT": "0", "PATH": "/usr/bin:/bin:/usr/local/bin"})
        if repo.get("revision"):
            subprocess.run([*git, "-C", str(target), "checkout", "--quiet", "--detach", repo["revision"], "--"],
                           check=True, capture_output=True, timeout=60, stdin=subprocess.DEVNULL)
    except subprocess.CalledProcessError as ex:
        lines = (ex.stderr or b"").decode(errors="replace").strip().splitlines()
        detail = next((x for x in lines if x.startswith("fatal:")), lines[-1] if lines else
                      f"git exited with status {ex.returncode}")
        raise AzLocalError(f"(GitRepoVolumeFailed) Cloning '{repo['repository']}' failed: {detail}") from None
    except subprocess.TimeoutExpired:
        raise AzLocalError(f"(GitRepoVolumeFailed) Cloning '{repo['repository']}' timed out.") from None


