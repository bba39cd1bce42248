"""A container group's volumes on the host: emptyDir (a Docker volume), secret (files of the secret store),
azureFile (a share of an azlocal storage account), gitRepo (a clone)."""

import json

from azlocal.aci.lookup import _secret_prefix, _short
from azlocal.core import safepath
from azlocal.core.errors import AzLocalError
from azlocal.platform import secrets
from azlocal.platform.engine import labels, objects


def _names(doc):
    from azlocal.aci.runtime import _names as names

    return names(doc)


def volume_binds(doc, props, created):
    """Docker volumes / folders for the group's volumes: name -> host source."""
    from azlocal.platform.store import group_of

    sources = {}
    prefix = _secret_prefix(doc["id"])
    for v in props["volumes"]:
        if "emptyDir" in v:
            vol = objects.create_volume(f"{_names(doc)[2]}-{v['name']}",
                                        labels.labels_for(group=group_of(doc["id"]), resource_id=doc["id"]))
            created.append(vol)
            sources[v["name"]] = vol.name
        elif "secret" in v:
            import base64

            folder = safepath.home_path("aci-secrets", _short(doc["id"]), ("volume", v["name"]))
            folder.mkdir(parents=True, exist_ok=True)
            folder.chmod(0o700)
            files = json.loads(secrets.get_secret(f"{prefix}volume/{v['name']}") or "{}")
            for fname, b64 in files.items():
                path = safepath.home_path(("secret file", fname), base=folder)
                path.write_bytes(base64.b64decode(b64))
                path.chmod(0o444)
            sources[v["name"]] = str(folder)
        elif "azureFile" in v:
            # An Azure Files share, kept as a folder of this home: what one container writes, another
            # group mounting the same share reads, and it outlives the group as a share does.
            share = v["azureFile"]
            folder = safepath.home_path("fileshares", ("storage account", share.get("storageAccountName")),
                                        ("file share", share.get("shareName")))
            folder.mkdir(parents=True, exist_ok=True)
            sources[v["name"]] = str(folder)
        elif "gitRepo" in v:
            folder = safepath.home_path("aci-secrets", _short(doc["id"]), ("volume", "gitrepo-" + v["name"]))
            _clone(v["gitRepo"], folder)
            sources[v["name"]] = str(folder)
    return sources


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


