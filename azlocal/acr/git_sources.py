"""Local clones that stand for remote git repositories in ACR contexts: registered by the user
(`azlocal git add <url> <path>`, kept in the store's key/value table) or found in the mirror folder
(AZLOCAL_GIT_MIRRORS: <folder>/<host>/<path>.git)."""

import os

from azlocal.acr import sources
from azlocal.core import settings
from azlocal.core.errors import AzLocalError, ResourceNotFound, ValidationError
from azlocal.platform.store import store

REGISTRATIONS = "git-clones"  # key/value entry: {normalised URL: {"url": as given, "path": the clone}}


def add(url, path):
    """Registers the clone at `path` for a remote repository URL."""
    if "#" in url:
        raise ValidationError(f"Register the repository URL without '#<branch>:<folder>': "
                              f"{url.split('#', 1)[0]}")
    if url.lower().startswith("file://"):
        raise ValidationError("A file:// URL names its clone itself; register only remote URLs.")
    key = sources.repository_key(url)
    clone = os.path.abspath(os.path.expanduser(path))
    sources.open_repository(clone, url)
    s = store()
    with s.transaction():
        s.set_value(REGISTRATIONS, dict(s.get_value(REGISTRATIONS, {}), **{key: {"url": url, "path": clone}}))
    return {"url": url, "repository": key, "path": clone}


def list_registrations():
    """The registered clones, with the mirror folder's (if AZLOCAL_GIT_MIRRORS is set)."""
    found = [{"url": v["url"], "repository": k, "path": v["path"]}
             for k, v in store().get_value(REGISTRATIONS, {}).items()]
    mirrors = settings.git_mirrors()
    if mirrors and os.path.isdir(mirrors):
        for root, dirs, _ in os.walk(mirrors):
            for d in sorted(dirs):
                if d.endswith(".git"):
                    key = os.path.relpath(os.path.join(root, d), mirrors)[:-4].replace(os.sep, "/")
                    found.append({"url": f"https://{key}.git", "repository": key.lower(), "path": os.path.join(root, d),
                                  "mirror": True})
            dirs[:] = [d for d in dirs if not d.endswith(".git")]
    return sorted(found, key=lambda r: r["repository"])


def remove(url):
    key = sources.repository_key(url)
    s = store()
    with s.transaction():
        registered = s.get_value(REGISTRATIONS, {})
        if registered.pop(key, None) is None:
            raise ResourceNotFound(f"No clone is registered for '{url}'. See `azlocal git list`.")
        s.set_value(REGISTRATIONS, registered)


def clone_of(ctx):
    """The path of the clone a GitContext resolves to, or az-style guidance on registering one."""
    if ctx.local:
        return ctx.key
    entry = store().get_value(REGISTRATIONS, {}).get(ctx.key)
    if entry:
        return entry["path"]
    mirrors = settings.git_mirrors()
    for name in dict.fromkeys(k + suffix for k in (sources.repository_key(ctx.repository, lower=False), ctx.key)
                              for suffix in (".git", "")):
        candidate = os.path.join(mirrors, *name.split("/")) if mirrors else None
        if candidate and os.path.isdir(candidate):
            return candidate
    host = ctx.key.split("/", 1)[0]
    raise AzLocalError(
        f"The git repository '{ctx.repository}' has no local clone: {host} cannot be reached offline. Register a "
        f"clone of it with `azlocal git add {ctx.repository} <path to the clone>`"
        + (f", or put one at {os.path.join(mirrors, *ctx.key.split('/'))}.git" if mirrors else
           ", or set AZLOCAL_GIT_MIRRORS to a folder holding <host>/<path>.git clones") + ".")
