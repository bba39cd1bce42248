"""Build contexts that are git repositories, resolved on this machine.

`az acr build`, `az acr run` and `az acr task` accept a git URL as their context, with az's
`<url>#<ref>:<folder>` syntax (the ref a branch, a tag or a full commit id; either part may be empty).
ACR clones the remote; offline there is no remote, so the URL is resolved to a local clone:

- `file:///path/to/repo(.git)` names the clone itself;
- `https://github.com/<owner>/<repo>.git`, `https://dev.azure.com/<org>/<project>/_git/<repo>`,
  `https://<org>.visualstudio.com/<project>/_git/<repo>` (or any https URL ending in .git) name the clone
  the user registered (`azlocal git add <url> <path>`; azlocal.acr.git_sources), or else the
  bare or working clone at `<AZLOCAL_GIT_MIRRORS>/<host>/<path>.git`.

As ACR clones the remote, a context is what is committed at the ref: the tree of that commit, exported with
dulwich into a folder under the home (removed when the process ends). Uncommitted changes are not in it.
"""

import atexit
import os
import re
import shutil
import stat
import time
import uuid
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from azlocal.core import safepath
from azlocal.core.errors import AzLocalError, ValidationError

EXPORTS = "git-contexts"  # folder under the home for exported trees
_VSTS = ("visualstudio.com", "dev.azure.com")
_exported = {}  # (clone, commit, folder) -> exported folder, for this process


@dataclass(frozen=True)
class GitContext:
    url: str  # as given
    repository: str  # the URL without #ref:folder
    key: str  # <host>/<path> (no .git), or the clone's path for file://
    ref: str  # "" for the default branch
    folder: str  # "" for the repository's root
    local: bool  # a file:// URL (the clone is the URL's path)

    @property
    def branch(self):
        """The branch a commit trigger watches: az records the ref given, or 'master' (its default)."""
        return self.ref or "master"


def is_git(context):
    """Whether a context is a git URL (rather than a local folder, /dev/null, or a tarball/OCI URL)."""
    if not isinstance(context, str) or context.lower() == "/dev/null":
        return False
    lower = context.lower()
    if lower.startswith(("file://", "git@", "git://")):
        return True
    if lower.startswith(("https://", "http://", "github.com/")):
        base = lower.split("#", 1)[0]
        host = urlsplit(base if "://" in base else "https://" + base).hostname or ""
        return base.endswith(".git") or any(h in base for h in _VSTS) or host in ("github.com", "www.github.com")
    return False


def parse(context):
    """The GitContext of a git URL; az's `#ref:folder` fragment split off. Refuses what cannot be resolved."""
    base, _, fragment = context.partition("#")
    ref, _, folder = fragment.partition(":")
    folder = _check_folder(context, folder)
    if ref and not re.fullmatch(r"[A-Za-z0-9._/-]+", ref) or ".." in ref or ref.startswith(("/", "-")):
        raise ValidationError(f"The git reference '{ref}' in '{context}' is not a valid branch, tag or commit id.")
    lower = base.lower()
    if lower.startswith("file://"):
        parts = urlsplit(base)
        if parts.netloc not in ("", "localhost"):
            raise ValidationError(f"The file URL '{base}' must name a folder on this machine (file:///path).")
        return GitContext(context, base, os.path.abspath(unquote(parts.path)), ref, folder, True)
    return GitContext(context, base, repository_key(base), ref, folder, False)


def _check_folder(context, folder):
    parts = [p for p in folder.replace("\\", "/").split("/") if p not in ("", ".")]
    if any(p == ".." for p in parts) or folder.startswith("/"):
        raise ValidationError(f"The context folder '{folder}' in '{context}' must be a relative path inside the "
                              "repository.")
    return "/".join(parts)


def repository_key(url, lower=True):
    """`<host>/<path>` of a remote repository URL, no user, no trailing `.git` or `/`, lower-cased (GitHub and
    Azure Repos paths are case-insensitive): the same repository however the URL is spelled."""
    text = url.split("#", 1)[0].strip()
    if text.lower().startswith("git@"):  # git@github.com:owner/repo.git
        host, _, path = text[4:].partition(":")
    else:
        if text.lower().startswith("github.com/"):
            text = "https://" + text
        parts = urlsplit(text)
        if parts.scheme.lower() not in ("https", "http", "git") or not parts.hostname:
            raise ValidationError(f"'{url}' is not a git repository URL: use https://<host>/<path>.git, an Azure "
                                  "Repos URL, or file:///<path to a clone>.")
        host, path = parts.hostname, unquote(parts.path)
    path = path.strip("/")
    if path.lower().endswith(".git"):
        path = path[:-4]
    if not path or any(p in ("", ".", "..") for p in path.split("/")):
        raise ValidationError(f"'{url}' is not a git repository URL: it names no repository.")
    key = f"{host.lower()}/{path}"
    return key.lower() if lower else key


def provider(context):
    """The sourceControlType az gives a context: Github for a github.com URL, else VisualStudioTeamService."""
    return "Github" if "GITHUB.COM" in context.upper() else "VisualStudioTeamService"


def open_repository(path, url):
    from dulwich.errors import NotGitRepository
    from dulwich.repo import Repo

    try:
        return Repo(path)
    except (NotGitRepository, FileNotFoundError, NotADirectoryError):
        raise AzLocalError(f"'{path}' is not a git repository, so it cannot stand for '{url}'.") from None


# Resolving --------------------------------------------------------------------------------------

def clone_of(ctx):
    """The path of the clone a GitContext resolves to (azlocal.acr.git_sources)."""
    from azlocal.acr import git_sources

    return git_sources.clone_of(ctx)


def head(ctx, ref=None):
    """The commit id (hex) the context's ref names in its clone; ref None: the context's own ref."""
    repo = open_repository(clone_of(ctx), ctx.repository)
    try:
        return _commit(repo, ctx, ctx.ref if ref is None else ref)
    finally:
        repo.close()


def _commit(repo, ctx, ref):
    if not ref:
        try:
            return _peel(repo, repo.refs[b"HEAD"])
        except KeyError:
            raise AzLocalError(f"The repository '{ctx.repository}' has no commits.") from None
    name = ref.encode()
    for candidate in (b"refs/heads/" + name, b"refs/remotes/origin/" + name, b"refs/tags/" + name):
        if candidate in repo.refs:
            return _peel(repo, repo.refs[candidate])
    if re.fullmatch(r"[0-9a-f]{40}", ref) and name in repo.object_store:
        return _peel(repo, name)
    raise AzLocalError(f"The branch, tag or commit '{ref}' was not found in the repository '{ctx.repository}'"
                       + ("" if ctx.local else f" (its clone: {clone_of(ctx)})") + ".")


def _peel(repo, sha):
    obj = repo[sha]
    while obj.type_name == b"tag":
        obj = repo[obj.object[1]]
    if obj.type_name != b"commit":
        raise AzLocalError(f"'{sha.decode()}' is not a commit.")
    return obj.id.decode()


def folder(context):
    """The local folder a context stands for: a git URL's tree exported, anything else as it is."""
    if not is_git(context):
        return context
    return export(parse(context))


def check(context):
    """Validates a git context as a task stores it (clone, ref, folder); returns it as given."""
    folder(context)
    return context


def export(ctx, commit=None):
    """Writes the tree of the commit (default: the ref's) at the context's folder into a fresh folder
    under the home; returns its path. The folder is removed when this process exits."""
    clone = clone_of(ctx)
    repo = open_repository(clone, ctx.repository)
    try:
        commit = commit or _commit(repo, ctx, ctx.ref)
        cached = _exported.get((clone, commit, ctx.folder))
        if cached and os.path.isdir(cached):
            return cached
        tree = repo[repo[commit.encode()].tree]
        if ctx.folder:
            try:
                mode, sha = tree.lookup_path(repo.__getitem__, ctx.folder.encode())
            except KeyError:
                mode, sha = None, None
            if mode is None or not stat.S_ISDIR(mode):
                raise AzLocalError(f"The folder '{ctx.folder}' does not exist in '{ctx.repository}' at "
                                   f"{ctx.ref or 'its default branch'} ({commit[:7]}).")
            tree = repo[sha]
        target = _new_export_dir()
        try:
            _write_tree(repo, tree, target)
        except BaseException:
            shutil.rmtree(target, ignore_errors=True)
            raise
    finally:
        repo.close()
    _exported[(clone, commit, ctx.folder)] = str(target)
    return str(target)


def _new_export_dir():
    root = safepath.home_path(EXPORTS)
    root.mkdir(mode=0o700, exist_ok=True)
    _sweep(root)
    target = safepath.home_path(EXPORTS, uuid.uuid4().hex)
    target.mkdir(mode=0o700)
    atexit.register(shutil.rmtree, target, True)
    return target


def _sweep(root, older_than=24 * 3600):
    """Exports a crashed process left behind (older than a day) are removed."""
    now = time.time()
    for entry in os.scandir(root):
        try:
            if now - entry.stat(follow_symlinks=False).st_mtime > older_than:
                shutil.rmtree(entry.path, ignore_errors=True)
        except OSError:
            pass


def _write_tree(repo, tree, target):
    for entry in repo.object_store.iter_tree_contents(tree.id):
        path = entry.path.decode("utf-8", "surrogateescape")
        parts = path.split("/")
        if any(p in ("", ".", "..", ".git") for p in parts):
            raise AzLocalError(f"The repository holds a path that cannot be exported safely: '{path}'.")
        if stat.S_IFMT(entry.mode) == 0o160000:
            continue  # a submodule: ACR does not clone submodules either
        dest = os.path.join(target, *parts)
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        safepath.confine(os.path.dirname(dest), base=target)  # no write through a symlinked folder
        data = repo[entry.sha].data
        if stat.S_ISLNK(entry.mode):
            os.symlink(data.decode("utf-8", "surrogateescape"), dest)
        else:
            with open(dest, "wb") as f:
                f.write(data)
            os.chmod(dest, 0o755 if entry.mode & 0o111 else 0o644)


# Task documents ---------------------------------------------------------------------------------

_UNWIRED = object()  # options without a git_access_token key: az's token rule cannot be checked, so is not


def source_triggers(step, options):
    """The task's `trigger.sourceTriggers` for a git context, as az builds them (commit trigger on unless
    `--commit-trigger-enabled false`; az refuses a source trigger without `--git-access-token`). Takes the
    source-trigger options out of `options`, so they are not reported as having no effect."""
    token = options.pop("git_access_token", _UNWIRED)  # used by nothing else: a local clone needs no token
    context = (step or {}).get("contextPath")
    if not is_git(context):
        return None
    commit = options.pop("commit_trigger", None)
    pull_request = options.pop("pull_request_trigger", None)
    name = options.pop("source_trigger_name", None) or "defaultSourceTriggerName"
    events = (["commit"] if commit is not False else []) + (["pullrequest"] if pull_request else [])
    if not events:
        return None
    if token is None:
        raise AzLocalError("If source control trigger is enabled [--commit-trigger-enabled] or "
                           "[--pull-request-trigger-enabled] --git-access-token must be provided.")
    _warn_pull_request(pull_request)
    if "commit" in events:
        _check_watched_branch(parse(context))
    return [_trigger(context, events, "Enabled", name)]


def _check_watched_branch(ctx):
    try:
        head(ctx, ctx.branch)
    except AzLocalError:
        from knack.log import get_logger

        get_logger(__name__).warning(
            "The commit trigger watches the branch '%s'%s, which the repository's clone does not have: no commit "
            "will start the task. Name the branch in the context, e.g. %s#main.", ctx.branch,
            "" if ctx.ref else " (az's default when the context names none)", ctx.repository)


def update_source_triggers(task, options):
    """az's PATCH merge of the source trigger's events (`--commit-trigger-enabled`, ...) into the task."""
    step, trigger = task.get("step") or {}, task.setdefault("trigger", {})
    existing = (trigger.get("sourceTriggers") or [None])[0]
    context = step.get("contextPath")
    commit = options.pop("commit_trigger", None)
    pull_request = options.pop("pull_request_trigger", None) if is_git(context) else None
    options.pop("git_access_token", None)
    if not is_git(context):
        if commit is not None:
            options["commit_trigger"] = commit  # run_options says a local folder has no commits to watch
        if existing:
            trigger["sourceTriggers"] = None  # the context is no longer a repository
        return
    if not existing and not commit and not pull_request:
        return
    events = set(existing["sourceTriggerEvents"] if existing and existing["status"] == "Enabled" else [])
    for event, value in (("commit", commit), ("pullrequest", pull_request)):
        if value is not None:
            (events.add if value else events.discard)(event)
    _warn_pull_request(pull_request)
    branch = parse(context).ref or (existing["sourceRepository"]["branch"] if existing else "master")
    name = existing["name"] if existing else "defaultSourceTriggerName"
    trigger["sourceTriggers"] = [_trigger(context, sorted(events), "Enabled" if events else "Disabled", name,
                                          branch)]


def _trigger(context, events, status, name, branch=None):
    return {"name": name,
            "sourceRepository": {"branch": branch or parse(context).branch, "repositoryUrl": context,
                                 "sourceControlAuthProperties": None, "sourceControlType": provider(context)},
            "sourceTriggerEvents": events, "status": status}


def _warn_pull_request(enabled):
    if enabled:
        from azlocal.acr.run_options import offline

        offline("--pull-request-trigger-enabled", "there are no pull requests on a local clone")
