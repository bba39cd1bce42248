"""The engine work of ACR runs, shared by quick builds and runs (runs) and task-file steps (taskfile):
images made available (pulled from our registry with its credentials, a stand-in, or Docker's),
built, tagged and pushed; run variables rendered. `log` is the run's log (RunLog: `line`, `raw`)."""

import io
import os
import uuid
from datetime import datetime, timezone

from knack.log import get_logger

from azlocal.core.errors import AzLocalError
from azlocal.core.parsing import pairs_dict
from azlocal.platform.engine import images

logger = get_logger(__name__)


def registry_auth(doc):
    """A task authenticates to its own registry without credentials: a fresh refresh token (its source identity's
    on an ABAC-enabled registry, see task_credentials.source_auth)."""
    from azlocal.acr import task_credentials
    from azlocal.acr.acr_data import NULL_USER, RegistryClient

    return task_credentials.source_auth(doc) or {"username": NULL_USER, "password": RegistryClient(doc).refresh_token()}


def ensure_image(client, image, doc, log, built=()):
    """Makes an image available to the engine: built earlier in this run, our registry (pulled with
    auth), a stand-in, or Docker's."""
    from azlocal.acr import task_credentials

    if image in built:
        return
    reference = images.parse_reference(image)
    custom = task_credentials.active_auth(reference.registry)
    if custom and reference.registry != doc["loginServer"]:  # a registry the task has a credential for
        log.line(f"Pulling image: {image}")
        try:
            images.pull(reference, custom)
        except Exception as ex:
            raise AzLocalError(f"failed to pull image {image}: {ex}") from ex
        return
    if reference.registry == doc["loginServer"]:
        log.line(f"Pulling image: {image}")
        try:
            images.pull(reference, registry_auth(doc))
        except Exception as ex:
            raise AzLocalError(f"failed to pull image {image}: {ex}") from ex
        return
    images.ensure_image(image, warn=logger.warning)


def login_custom_registries(client, log):
    """The run's logins to the registries its task has credentials for (task_credentials)."""
    from azlocal.acr import task_credentials

    task_credentials.login(client, log)


def split_tag(image):
    """`[registry/]repo[:tag][@digest]` → (`[registry/]repo`, digest or tag); no tag is `latest`."""
    reference = images.parse_reference(image)
    return reference.name, reference.version


def qualify(image, doc):
    """`sample/app:v1` → `<loginServer>/sample/app:v1`; already-qualified names stay."""
    first = image.split("/")[0]
    if "/" in image and ("." in first or ":" in first or first == "localhost"):
        return image
    return f"{doc['loginServer']}/{image}"


def _source_commit():
    """(commit id, branch) of a commit-triggered run (git_triggers passes its sourceTrigger), else empty."""
    import json
    import os

    try:
        trigger = json.loads(os.environ.get("AZLOCAL_RUN_SOURCE_TRIGGER") or "{}")
    except ValueError:
        trigger = {}
    return str(trigger.get("commitId") or ""), str(trigger.get("branchName") or "")


def render(text, doc, run_id, values=None):
    """ACR's run variables and `$` aliases in a command line, tag or task file."""
    now = datetime.now(timezone.utc)
    commit, branch = _source_commit()
    variables = {
        "Run.ID": run_id, "Run.Registry": doc["loginServer"], "Run.RegistryName": doc["name"],
        "Run.Date": now.strftime("%Y%m%d-%H%M%Sz"), "Run.OS": "linux", "Run.Architecture": "amd64",
        "Run.SharedVolume": f"acb_vol_{run_id}", "Run.Commit": commit, "Run.Branch": branch,
        "Run.TaskName": "",
    }
    for key, value in variables.items():
        text = text.replace("{{.%s}}" % key, value).replace("{{ .%s }}" % key, value)
    for key, value in (values or {}).items():
        text = text.replace("{{.Values.%s}}" % key, str(value)).replace("{{ .Values.%s }}" % key, str(value))
    aliases = {"$RegistryName": doc["name"], "$Registry": doc["loginServer"], "$ID": run_id,
               "$SharedVolume": variables["Run.SharedVolume"], "$Date": variables["Run.Date"],
               "$OS": "linux", "$Architecture": "amd64", "$Commit": commit, "$Branch": branch}
    for alias in sorted(aliases, key=len, reverse=True):
        text = text.replace(alias, aliases[alias])
    return text


def pack(context, dockerfile_path):
    """The context as Docker sees it, honouring .dockerignore (docker's own pattern rules)."""
    from docker.utils import build as docker_build

    patterns = []
    ignore = os.path.join(context, ".dockerignore")
    if os.path.exists(ignore):
        with open(ignore) as f:
            patterns = [p.strip() for p in f if p.strip() and not p.startswith("#")]
    rel = os.path.relpath(dockerfile_path, context)
    return docker_build.tar(context, exclude=patterns, dockerfile=(rel, None) if not rel.startswith("..") else None,
                            fileobj=io.BytesIO())


def build_arg_values(build_args):
    """`name=value` build arguments as a dict; a bare `name` (docker takes it from the environment) is left out."""
    return pairs_dict([a for a in build_args if "=" in a])


def base_images(dockerfile_path, build_args):
    """The images a Dockerfile builds FROM (its own stages and scratch left out), ARG defaults applied."""
    args = build_arg_values(build_args)
    stages, bases = set(), []
    with open(dockerfile_path) as f:
        for line in f:
            words = line.split()
            if len(words) >= 2 and words[0].upper() == "ARG" and "=" in words[1]:
                key, _, value = words[1].partition("=")
                args.setdefault(key, value)
            if len(words) >= 2 and words[0].upper() == "FROM":
                image = words[1]
                for key, value in args.items():
                    image = image.replace("${%s}" % key, value).replace("$" + key, value)
                if image.lower() not in stages and image != "scratch":
                    bases.append(image)
                if len(words) >= 4 and words[2].upper() == "AS":
                    stages.add(words[3].lower())
    return bases


def docker_build(client, doc, log, *, context, dockerfile_path, tags, build_args, target=None, platform=None,
                 timeout=None, archive=None, no_cache=False):
    """Builds on the engine and tags the result with every name; returns the base images it used."""
    log.line("Scanning for dependencies...")
    bases = base_images(dockerfile_path, build_args)
    for base in bases:
        ensure_image(client, base, doc, log)
    log.line("Successfully obtained source code and scanned for dependencies")
    if archive is None:
        archive = pack(context, dockerfile_path)
    archive.seek(0)
    args = build_arg_values(build_args)
    first = tags[0] if tags else f"azlocal-build-{uuid.uuid4().hex[:12]}:latest"
    stream = client.api.build(fileobj=archive, custom_context=True, encoding=None, tag=first,
                              dockerfile=os.path.relpath(dockerfile_path, context), buildargs=args or None,
                              target=target, platform=platform, rm=True, forcerm=True, pull=False, decode=True,
                              nocache=no_cache, timeout=timeout or 28800)
    image = client.images.get(_stream_build(stream, log) or first)
    for tag in tags[1:]:
        repo, t = split_tag(tag)
        image.tag(repo, t)
    if not tags:
        client.images.remove(first, noprune=True)
    return bases


def _stream_build(stream, log):
    """The engine's build output into the log; the built image's id (or None)."""
    image_id = None
    for chunk in stream:
        if "stream" in chunk:
            log.raw(chunk["stream"])
        if "aux" in chunk and "ID" in chunk["aux"]:
            image_id = chunk["aux"]["ID"]
        if "error" in chunk:
            log.raw(chunk["error"].rstrip() + "\n")
            raise AzLocalError(f"failed to run step ID: build: {chunk['error'].strip()}")
    return image_id


def push_image(client, tag, auth, log):
    """Pushes with `auth` (the run's own registry), or the task's credential for the tag's registry."""
    from azlocal.acr import task_credentials
    from azlocal.platform.engine.lookup import retry_on_lookup

    repo, t = split_tag(tag)
    auth = task_credentials.active_auth(images.parse_reference(tag).registry) or auth
    log.line(f"Pushing image: {tag}, attempt 1")

    def push():
        digest = None
        for chunk in client.api.push(repo, tag=t, auth_config=auth, stream=True, decode=True):
            if "error" in chunk:
                raise AzLocalError(f"failed to push image {tag}: {chunk['error']}")
            if chunk.get("status") and chunk.get("id") and not chunk.get("progressDetail"):
                log.raw(f"{chunk['id']}: {chunk['status']}\n")
            if "aux" in chunk and "Digest" in chunk["aux"]:
                digest = chunk["aux"]["Digest"]
        return digest

    digest = retry_on_lookup(push)
    log.line(f"Successfully pushed image: {tag}")
    registry, _, repository = repo.partition("/")
    return {"digest": digest, "registry": registry, "repository": repository, "tag": t}
