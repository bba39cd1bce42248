"""ACR runs: quick builds (`az acr build`) and quick runs (`az acr run --cmd`), on the Docker Engine.

A run is recorded as a `registries/runs` row; its log is kept under the home so
`az acr task logs --run-id` can replay it. The log streams as ACR's does: the CLI's own lines
on stderr, the engine's lines (timestamps, build output, dependencies) on stdout.
"""

import io
import os
import sys
import time
import uuid
from datetime import datetime, timezone

from azlocal.acr import registries
from azlocal.core import arm, safepath
from azlocal.core.errors import AzLocalError
from azlocal.platform.store import store

RUN_TYPE = "Microsoft.ContainerRegistry/registries/runs"


class RunFailed(AzLocalError):
    """The run's log has said why; az ends with `ERROR: Run failed`, exit 1."""

    def __init__(self):
        super().__init__("Run failed")


class RunLog:
    """Writes the engine's log to stdout and to the run's log file."""

    def __init__(self, path, quiet=False):
        self.file = open(path, "w")
        self.quiet = quiet

    def line(self, text="", stamp=True):
        if stamp:
            text = f"{datetime.now(timezone.utc):%Y/%m/%d %H:%M:%S} {text}"
        self.raw(text + "\n")

    def raw(self, text):
        self.file.write(text)
        self.file.flush()
        if not self.quiet:
            sys.stdout.write(text)
            sys.stdout.flush()

    def close(self):
        self.file.close()


def _info(text):
    print(text, file=sys.stderr, flush=True)


# Run ids and records -------------------------------------------------------------------------

def _next_run_id(name):
    s = store()
    key = f"acr-run-counter/{name}"
    with s.transaction():
        n = s.get_value(key, 0) + 1
        s.set_value(key, n)
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    suffix = ""
    while True:
        n, r = divmod(n, 36)
        suffix = digits[r] + suffix
        if n == 0:
            break
    return "ca" + suffix


def log_path(name, run_id):
    path = safepath.home_path("runs", ("registry", name))
    path.mkdir(parents=True, exist_ok=True)
    return safepath.home_path(f"{safepath.check_name('run id', run_id)}.log", base=path)


def _record(doc, run_id, run_type, status, started, outputs=(), error=None, meta=None):
    meta = meta or {}
    task = meta.get("task")
    trigger = meta.get("trigger") or os.environ.get("AZLOCAL_RUN_TRIGGER")
    now = arm.utc_now()
    run = {
        "agentConfiguration": {"cpu": 2},
        "agentPoolName": None,
        "createTime": started,
        "customRegistries": None,
        "finishTime": now if status not in ("Queued", "Running", "Started") else None,
        "id": f"{doc['id']}/runs/{run_id}",
        "imageUpdateTrigger": {"id": run_id, "images": None, "timestamp": now} if trigger == "Image Update" else None,
        "isArchiveEnabled": False,
        "lastUpdatedTime": now,
        "logArtifact": None,
        "name": run_id,
        "outputImages": [dict(o) for o in outputs] or None,
        "platform": {"architecture": "amd64", "os": "linux", "variant": None},
        "provisioningState": "Succeeded",
        "runErrorMessage": error,
        "runId": run_id,
        "runType": ("AutoBuild" if run_type == "QuickBuild" else "AutoRun") if task else run_type,
        "sourceRegistryAuth": None,
        "sourceTrigger": None,
        "startTime": started,
        "status": status,
        "systemData": None,
        "task": task,
        "timerTrigger": {"timerTriggerName": "timer"} if trigger == "Timer" else None,
        "type": RUN_TYPE,
        "updateTriggerToken": None,
    }
    s = store()
    with s.transaction():
        s.put(run)
    return run


# Images and the registry's credentials -------------------------------------------------------

def registry_auth(doc):
    """A task authenticates to its own registry without credentials: use a fresh refresh token."""
    from azlocal.acr.acr_data import NULL_USER, RegistryClient

    return {"username": NULL_USER, "password": RegistryClient(doc).refresh_token()}


def ensure_image(client, image, doc, log, built=()):
    """Makes an image available to the engine: built earlier in this run, our registry (pulled with
    auth), a stand-in, or Docker's."""
    from azlocal.platform.engine import standins

    if image in built:
        return
    repo, tag = _split_tag(image)
    if repo.split("/")[0] == doc["loginServer"]:
        log.line(f"Pulling image: {image}")
        try:
            _pull(client, repo, tag, registry_auth(doc))
        except Exception as ex:
            raise AzLocalError(f"failed to pull image {image}: {ex}") from ex
        return
    standins.ensure_image(client, image, warn=lambda m: _info(f"WARNING: {m}"))


def _pull(client, repo, tag, auth):
    from azlocal.platform.engine.lookup import retry_on_lookup

    def pull():
        for chunk in client.api.pull(repo, tag=tag, auth_config=auth, stream=True, decode=True):
            if "error" in chunk:
                raise AzLocalError(chunk["error"])

    retry_on_lookup(pull)


def _split_tag(image):
    if "@" in image:
        return image.split("@")[0], image.split("@")[1]
    last = image.rsplit("/", 1)[-1]
    if ":" in last:
        repo, _, tag = image.rpartition(":")
        return repo, tag
    return image, "latest"


def qualify(image, doc):
    """`sample/app:v1` → `<loginServer>/sample/app:v1`; already-qualified names stay."""
    first = image.split("/")[0]
    if "/" in image and ("." in first or ":" in first or first == "localhost"):
        return image
    return f"{doc['loginServer']}/{image}"


def render(text, doc, run_id, values=None):
    """ACR's run variables and `$` aliases in a command line, tag or task file."""
    now = datetime.now(timezone.utc)
    variables = {
        "Run.ID": run_id, "Run.Registry": doc["loginServer"], "Run.RegistryName": doc["name"],
        "Run.Date": now.strftime("%Y%m%d-%H%M%Sz"), "Run.OS": "linux", "Run.Architecture": "amd64",
        "Run.SharedVolume": f"acb_vol_{run_id}", "Run.Commit": "", "Run.Branch": "", "Run.TaskName": "",
    }
    for key, value in variables.items():
        text = text.replace("{{.%s}}" % key, value).replace("{{ .%s }}" % key, value)
    for key, value in (values or {}).items():
        text = text.replace("{{.Values.%s}}" % key, str(value)).replace("{{ .Values.%s }}" % key, str(value))
    aliases = {"$RegistryName": doc["name"], "$Registry": doc["loginServer"], "$ID": run_id,
               "$SharedVolume": variables["Run.SharedVolume"], "$Date": variables["Run.Date"],
               "$OS": "linux", "$Architecture": "amd64", "$Commit": "", "$Branch": ""}
    for alias in sorted(aliases, key=len, reverse=True):
        text = text.replace(alias, aliases[alias])
    return text


# Quick build --------------------------------------------------------------------------------

def build(registry_name, source, images=(), dockerfile="Dockerfile", build_args=(), secret_build_args=(),
          no_push=False, no_logs=False, timeout=None, target=None, platform=None, resource_group=None, meta=None,
          no_cache=False):
    from azlocal.platform.engine.docker_client import client as docker_client

    doc = registries.get(registry_name, resource_group)
    context = _context_dir(source)
    dockerfile_path = os.path.join(context, dockerfile) if not os.path.isabs(dockerfile) else dockerfile
    if not os.path.isfile(dockerfile_path):
        raise AzLocalError(f"Unable to find '{dockerfile}'.")
    if not images:
        _info("WARNING: '--image or -t' is not provided. Skipping image push after build.")
        no_push = True
    client = docker_client()
    _info("Packing source code into tar to upload...")
    archive = _pack(context, dockerfile_path)
    _info(f"Sending context ({len(archive.getvalue()) / 1024:.3f} KiB) to registry: {doc['name']}...")
    run_id = _next_run_id(doc["name"])
    started = arm.utc_now()
    _record(doc, run_id, "QuickBuild", "Running", started, meta=meta)
    _info(f"Queued a build with ID: {run_id}")
    _info("Waiting for an agent...")
    log = RunLog(log_path(doc["name"], run_id), quiet=no_logs)
    begin = time.monotonic()
    tags = [qualify(render(i, doc, run_id), doc) for i in images]
    try:
        outputs = _build_and_push(client, doc, archive, dockerfile_path, context, tags, build_args,
                                  secret_build_args, target, platform, no_push, timeout, log, no_cache)
    except AzLocalError as ex:
        _finish_failed(doc, run_id, "QuickBuild", started, begin, log, str(ex), meta)
        raise RunFailed() from ex
    run = _finish_ok(doc, run_id, "QuickBuild", started, begin, log, outputs, meta)
    return run if no_logs else None


def _context_dir(source):
    if source in (None, "/dev/null"):
        raise AzLocalError("A build needs a source location: a local directory such as '.'.")
    if "://" in source or source.endswith(".git"):
        raise AzLocalError(f"'{source}' is a remote context, which is not available offline; use a local directory.")
    if not os.path.isdir(source):
        raise AzLocalError(f"Source location '{source}' does not exist or is not a directory.")
    return os.path.abspath(source)


def _pack(context, dockerfile_path):
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


def _base_images(dockerfile_path, build_args):
    args = dict(a.split("=", 1) for a in build_args if "=" in a)
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


def _build_and_push(client, doc, archive, dockerfile_path, context, tags, build_args, secret_build_args, target,
                    platform, no_push, timeout, log, no_cache=False):
    log.line(f"Using acb_vol_{uuid.uuid4()} as the home volume")
    log.line("Setting up Docker configuration...")
    log.line("Successfully set up Docker configuration")
    log.line(f"Logging in to registry: {doc['loginServer']}")
    log.line(f"Successfully logged into {doc['loginServer']}")
    log.line("Executing step ID: build. Timeout(sec): %d, Working directory: '', Network: ''" % (timeout or 28800))
    bases = docker_build(client, doc, context, dockerfile_path, tags, list(build_args) + list(secret_build_args),
                         target, platform, timeout, log, archive=archive, no_cache=no_cache)
    outputs = []
    if not no_push:
        auth = registry_auth(doc)
        for tag in tags:
            outputs.append(push_image(client, tag, auth, log))
        # The pushed names live in the registry; the engine keeps only the layers (as a cache).
        for tag in tags:
            try:
                client.images.remove(tag, noprune=True)
            except Exception:
                pass
    log.line("Successfully executed container: build")
    _dependencies(log, doc, outputs, bases)
    return outputs


def docker_build(client, doc, context, dockerfile_path, tags, build_args, target, platform, timeout, log,
                 archive=None, no_cache=False):
    """Builds on the engine and tags the result with every name; returns the base images it used."""
    log.line("Scanning for dependencies...")
    bases = _base_images(dockerfile_path, build_args)
    for base in bases:
        ensure_image(client, base, doc, log)
    log.line("Successfully obtained source code and scanned for dependencies")
    if archive is None:
        archive = _pack(context, dockerfile_path)
    archive.seek(0)
    args = dict(a.split("=", 1) for a in build_args if "=" in a)
    image_id = None
    first = tags[0] if tags else f"azlocal-build-{uuid.uuid4().hex[:12]}:latest"
    stream = client.api.build(fileobj=archive, custom_context=True, encoding=None, tag=first,
                              dockerfile=os.path.relpath(dockerfile_path, context), buildargs=args or None,
                              target=target, platform=platform, rm=True, forcerm=True, pull=False, decode=True,
                              nocache=no_cache, timeout=timeout or 28800)
    for chunk in stream:
        if "stream" in chunk:
            log.raw(chunk["stream"])
        if "aux" in chunk and "ID" in chunk["aux"]:
            image_id = chunk["aux"]["ID"]
        if "error" in chunk:
            log.raw(chunk["error"].rstrip() + "\n")
            raise AzLocalError(f"failed to run step ID: build: {chunk['error'].strip()}")
    image = client.images.get(image_id or first)
    for tag in tags[1:]:
        repo, t = _split_tag(tag)
        image.tag(repo, t)
    if not tags:
        client.images.remove(first, noprune=True)
    return bases


def push_image(client, tag, auth, log):
    repo, t = _split_tag(tag)
    from azlocal.platform.engine.lookup import retry_on_lookup

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


def _dependencies(log, doc, outputs, bases):
    if not outputs:
        return
    log.line("The following dependencies were found:")
    for out in outputs:
        log.raw(f"- image:\n    registry: {out['registry']}\n    repository: {out['repository']}\n"
                f"    tag: {out['tag']}\n    digest: {out['digest']}\n")
        for base in bases[-1:]:
            repo, tag = _split_tag(base)
            registry, _, repository = repo.partition("/") if "." in repo.split("/")[0] else ("registry.hub.docker.com",
                                                                                            "", repo)
            log.raw(f"  runtime-dependency:\n    registry: {registry}\n    repository: {repository}\n"
                    f"    tag: {tag}\n")
        log.raw("  git: {}\n")


def _finish_ok(doc, run_id, run_type, started, begin, log, outputs, meta=None):
    log.raw(f"\nRun ID: {run_id} was successful after {round(time.monotonic() - begin)}s\n")
    log.close()
    return _record(doc, run_id, run_type, "Succeeded", started, outputs, meta=meta)


def _canceled(doc, run_id):
    current = store().get(f"{doc['id']}/runs/{run_id}")
    return current is not None and current["status"] == "Canceled"


def _finish_failed(doc, run_id, run_type, started, begin, log, error, meta=None):
    if _canceled(doc, run_id):
        log.raw(f"\nRun ID: {run_id} was canceled after {round(time.monotonic() - begin)}s\n")
        log.close()
        raise AzLocalError("Run was canceled")
    timed_out = "timed out" in error
    log.raw(f"{error}\n\nRun ID: {run_id} failed after {round(time.monotonic() - begin)}s. "
            f"Error: failed during run, err: exit status 1\n")
    log.close()
    _record(doc, run_id, run_type, "Timeout" if timed_out else "Failed", started, error=error, meta=meta)
    if timed_out:
        raise AzLocalError("Run timed out")


# Quick run (--cmd) ----------------------------------------------------------------------------

def run_cmd(registry_name, cmd, source="/dev/null", values=None, timeout=None, no_logs=False, resource_group=None,
            meta=None):
    """`--cmd X` is the one-step task the real CLI sends."""
    import yaml

    step = {"cmd": cmd, "disableWorkingDirectoryOverride": True}
    if timeout:
        step["timeout"] = timeout
    text = yaml.safe_dump({"version": "v1.1.0", "steps": [step]})
    return run_task(registry_name, text, source, values, timeout, no_logs, resource_group, meta)


def run_file(registry_name, file, source, values=None, timeout=None, no_logs=False, resource_group=None, meta=None):
    """`-f task.yaml <context>`: the file is relative to the context (or a local path with /dev/null)."""
    if file == "-":
        text = sys.stdin.read()
    else:
        path = file if source in (None, "/dev/null") or os.path.isabs(file) else os.path.join(source, file)
        if not os.path.isfile(path):
            raise AzLocalError(f"{file} does not exist.")
        with open(path) as f:
            text = f.read()
    return run_task(registry_name, text, source, values, timeout, no_logs, resource_group, meta)


def run_task(registry_name, text, source, values=None, timeout=None, no_logs=False, resource_group=None, meta=None):
    from azlocal.acr import taskfile
    from azlocal.platform.engine import labels
    from azlocal.platform.engine.docker_client import client as docker_client

    doc = registries.get(registry_name, resource_group)
    context = None if source in (None, "/dev/null") else _context_dir(source)
    client = docker_client()
    run_id = _next_run_id(doc["name"])
    task = taskfile.parse(text, lambda t: render(t, doc, run_id, values))
    started = arm.utc_now()
    _record(doc, run_id, "QuickRun", "Running", started, meta=meta)
    _info(f"Queued a run with ID: {run_id}")
    _info("Waiting for an agent...")
    log = RunLog(log_path(doc["name"], run_id), quiet=no_logs)
    begin = time.monotonic()
    run_label = {"azlocal.acr.run": f"{doc['id']}/runs/{run_id}".lower()}  # what cancel-run looks for
    tags = labels.labels_for(group=_group(doc), resource_id=doc["id"], **run_label)
    execution = taskfile.Execution(client, doc, run_id, task, context, log, tags)
    try:
        if timeout:
            outputs = _with_timeout(execution, timeout)
        else:
            outputs = execution.run()
    except AzLocalError as ex:
        _finish_failed(doc, run_id, "QuickRun", started, begin, log, str(ex), meta)
        raise RunFailed() from ex
    run = _finish_ok(doc, run_id, "QuickRun", started, begin, log, outputs, meta)
    return run if no_logs else None


def _with_timeout(execution, timeout):
    """Runs the task, killing its containers when the run's timeout passes."""
    import threading

    result = {}

    def target():
        try:
            result["outputs"] = execution.run()
        except AzLocalError as ex:
            result["error"] = ex

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        for container in list(execution.containers):
            try:
                container.kill()
            except Exception:
                pass
        thread.join(30)
        raise AzLocalError(f"Run timed out after {timeout}s: timed out")
    if "error" in result:
        raise result["error"]
    return result["outputs"]


def _group(doc):
    from azlocal.platform.store import group_of

    return group_of(doc["id"])
