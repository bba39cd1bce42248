"""ACR runs: quick builds (`az acr build`) and quick runs (`az acr run --cmd`), on the Docker Engine.

A run is recorded as a `registries/runs` row; its log is kept under the home so
`az acr task logs --run-id` can replay it. The log streams as ACR's does: the CLI's own status lines
and the engine's lines (timestamps, build output, dependencies) go to the `progress` callback the
command layer gives (`progress(kind, text)`, kind "status" or "log"; see acr._console).
"""

import os
import sys
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone

from knack.log import get_logger

from azlocal.acr import registries, task_credentials, task_timers
from azlocal.acr.run_steps import (  # noqa: F401 - qualify and render are part of this module's face
    docker_build,
    ensure_image,
    login_custom_registries,
    pack,
    push_image,
    qualify,
    registry_auth,
    render,
    split_tag,
)
from azlocal.core import arm, safepath
from azlocal.core.errors import AzLocalError
from azlocal.platform.store import store

logger = get_logger(__name__)
RUN_TYPE = "Microsoft.ContainerRegistry/registries/runs"


class RunFailed(AzLocalError):
    """The run's log has said why; az ends with `ERROR: Run failed`, exit 1."""

    def __init__(self):
        super().__init__("Run failed")


class RunLog:
    """Writes the engine's log to the run's log file and, unless quiet, to `progress` ("log")."""

    def __init__(self, path, quiet=False, progress=None):
        self.file = open(path, "w")
        self.quiet = quiet
        self.progress = progress

    def line(self, text="", stamp=True):
        if stamp:
            text = f"{datetime.now(timezone.utc):%Y/%m/%d %H:%M:%S} {text}"
        self.raw(text + "\n")

    def raw(self, text):
        self.file.write(text)
        self.file.flush()
        if not self.quiet and self.progress is not None:
            self.progress("log", text)

    def close(self):
        self.file.close()


def _progress(progress):
    """The caller's progress callback; callers that give none (yet) get the console's."""
    if progress is not None:
        return progress
    from azlocal.acr._console import render as console

    return console


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


def _source_trigger(trigger):
    """A commit-triggered run's `sourceTrigger` (git_triggers passes it to the run's process)."""
    import json

    value = os.environ.get("AZLOCAL_RUN_SOURCE_TRIGGER") if trigger == "Commit" else None
    return json.loads(value) if value else None


def _record(doc, run_id, run_type, status, started, outputs=(), error=None, meta=None):
    meta = meta or {}
    task = meta.get("task")
    trigger = meta.get("trigger") or os.environ.get("AZLOCAL_RUN_TRIGGER")
    now = arm.utc_now()
    run = {
        "agentConfiguration": {"cpu": 2},
        "agentPoolName": None,
        "createTime": started,
        "customRegistries": task_credentials.logged_in() or None,
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
        "sourceTrigger": _source_trigger(trigger),
        "startTime": started,
        "status": status,
        "systemData": None,
        "task": task,
        "timerTrigger": task_timers.run_trigger(trigger),
        "type": RUN_TYPE,
        "updateTriggerToken": None,
    }
    s = store()
    with s.transaction():
        s.put(run)
    return run


# Quick build --------------------------------------------------------------------------------

@dataclass
class _Run:
    """A run under way: its record's fields, its log and when it began."""
    doc: dict
    run_id: str
    run_type: str
    started: str
    log: RunLog
    meta: dict | None
    begin: float = 0.0

    def elapsed(self):
        return round(time.monotonic() - self.begin)


def _start(doc, run_type, run_id=None, *, no_logs, meta, progress):
    """Records the run as Running and opens its log; says it is queued, as ACR's CLI does."""
    run_id = run_id or _next_run_id(doc["name"])
    started = arm.utc_now()
    _record(doc, run_id, run_type, "Running", started, meta=meta)
    progress("status", f"Queued a {'build' if run_type == 'QuickBuild' else 'run'} with ID: {run_id}")
    progress("status", "Waiting for an agent...")
    log = RunLog(log_path(doc["name"], run_id), quiet=no_logs, progress=progress)
    return _Run(doc, run_id, run_type, started=started, log=log, meta=meta, begin=time.monotonic())


def build(registry_name, source, images=(), dockerfile="Dockerfile", *, build_args=(), secret_build_args=(),
          no_push=False, no_logs=False, timeout=None, target=None, platform=None, resource_group=None, meta=None,
          no_cache=False, progress=None):
    from azlocal.platform.engine.docker_client import client as docker_client

    progress = _progress(progress)
    doc = registries.get(registry_name, resource_group)
    context = _context_dir(source)
    dockerfile_path = os.path.join(context, dockerfile) if not os.path.isabs(dockerfile) else dockerfile
    if not os.path.isfile(dockerfile_path):
        raise AzLocalError(f"Unable to find '{dockerfile}'.")
    if not images:
        logger.warning("'--image or -t' is not provided. Skipping image push after build.")
        no_push = True
    client = docker_client()
    progress("status", "Packing source code into tar to upload...")
    archive = pack(context, dockerfile_path)
    progress("status", f"Sending context ({len(archive.getvalue()) / 1024:.3f} KiB) to registry: {doc['name']}...")
    run = _start(doc, "QuickBuild", no_logs=no_logs, meta=meta, progress=progress)
    tags = [qualify(render(i, doc, run.run_id), doc) for i in images]
    try:
        outputs = _build_and_push(client, run, archive=archive, dockerfile_path=dockerfile_path, context=context,
                                  tags=tags, build_args=list(build_args) + list(secret_build_args), target=target,
                                  platform=platform, no_push=no_push, timeout=timeout, no_cache=no_cache)
    except AzLocalError as ex:
        _finish_failed(run, str(ex))
        raise RunFailed() from ex
    record = _finish_ok(run, outputs)
    return record if no_logs else None


def _context_dir(source):
    if source in (None, "/dev/null"):
        raise AzLocalError("A build needs a source location: a local directory such as '.'.")
    if "://" in source or source.endswith(".git") or source.startswith("git@"):
        from azlocal.acr import sources  # a git URL: its committed tree, exported from a local clone

        if not sources.is_git(source):
            raise AzLocalError(f"'{source}' is a remote context that is not a git repository, which is not "
                               "available offline; use a local directory or a git URL.")
        return sources.folder(source)
    if not os.path.isdir(source):
        raise AzLocalError(f"Source location '{source}' does not exist or is not a directory.")
    return os.path.abspath(source)


def _build_and_push(client, run, *, archive, dockerfile_path, context, tags, build_args, target, platform, no_push,
                    timeout, no_cache=False):
    doc, log = run.doc, run.log
    log.line(f"Using acb_vol_{uuid.uuid4()} as the home volume")
    log.line("Setting up Docker configuration...")
    log.line("Successfully set up Docker configuration")
    log.line(f"Logging in to registry: {doc['loginServer']}")
    log.line(f"Successfully logged into {doc['loginServer']}")
    login_custom_registries(client, log)
    log.line("Executing step ID: build. Timeout(sec): %d, Working directory: '', Network: ''" % (timeout or 28800))
    bases = docker_build(client, doc, log, context=context, dockerfile_path=dockerfile_path, tags=tags,
                         build_args=build_args, target=target, platform=platform, timeout=timeout, archive=archive,
                         no_cache=no_cache)
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


def _dependencies(log, doc, outputs, bases):
    if not outputs:
        return
    log.line("The following dependencies were found:")
    for out in outputs:
        log.raw(f"- image:\n    registry: {out['registry']}\n    repository: {out['repository']}\n"
                f"    tag: {out['tag']}\n    digest: {out['digest']}\n")
        for base in bases[-1:]:
            repo, tag = split_tag(base)
            registry, _, repository = repo.partition("/") if "." in repo.split("/")[0] else ("registry.hub.docker.com",
                                                                                            "", repo)
            log.raw(f"  runtime-dependency:\n    registry: {registry}\n    repository: {repository}\n"
                    f"    tag: {tag}\n")
        log.raw("  git: {}\n")


def _finish_ok(run, outputs):
    run.log.raw(f"\nRun ID: {run.run_id} was successful after {run.elapsed()}s\n")
    run.log.close()
    return _record(run.doc, run.run_id, run.run_type, "Succeeded", run.started, outputs, meta=run.meta)


def _canceled(doc, run_id):
    current = store().get(f"{doc['id']}/runs/{run_id}")
    return current is not None and current["status"] == "Canceled"


def _finish_failed(run, error):
    log = run.log
    if _canceled(run.doc, run.run_id):
        log.raw(f"\nRun ID: {run.run_id} was canceled after {run.elapsed()}s\n")
        log.close()
        raise AzLocalError("Run was canceled")
    timed_out = "timed out" in error
    log.raw(f"{error}\n\nRun ID: {run.run_id} failed after {run.elapsed()}s. "
            f"Error: failed during run, err: exit status 1\n")
    log.close()
    _record(run.doc, run.run_id, run.run_type, "Timeout" if timed_out else "Failed", run.started, error=error,
            meta=run.meta)
    if timed_out:
        raise AzLocalError("Run timed out")


# Quick run (--cmd) ----------------------------------------------------------------------------

def run_cmd(registry_name, cmd, source="/dev/null", values=None, *, timeout=None, no_logs=False,
            resource_group=None, meta=None, progress=None):
    """`--cmd X` is the one-step task the real CLI sends."""
    import yaml

    step = {"cmd": cmd, "disableWorkingDirectoryOverride": True}
    if timeout:
        step["timeout"] = timeout
    text = yaml.safe_dump({"version": "v1.1.0", "steps": [step]})
    return run_task(registry_name, text, source, values, timeout=timeout, no_logs=no_logs,
                    resource_group=resource_group, meta=meta, progress=progress)


def run_file(registry_name, file, source, values=None, *, timeout=None, no_logs=False, resource_group=None,
             meta=None, progress=None):
    """`-f task.yaml <context>`: the file is relative to the context (or a local path with /dev/null)."""
    source = source if source in (None, "/dev/null") else _context_dir(source)
    if file == "-":
        text = sys.stdin.read()
    else:
        path = file if source in (None, "/dev/null") or os.path.isabs(file) else os.path.join(source, file)
        if not os.path.isfile(path):
            raise AzLocalError(f"{file} does not exist.")
        with open(path) as f:
            text = f.read()
    return run_task(registry_name, text, source, values, timeout=timeout, no_logs=no_logs,
                    resource_group=resource_group, meta=meta, progress=progress)


def run_task(registry_name, text, source, values=None, *, timeout=None, no_logs=False, resource_group=None,
             meta=None, progress=None):
    from azlocal.acr import taskfile
    from azlocal.platform.engine import labels
    from azlocal.platform.engine.docker_client import client as docker_client

    progress = _progress(progress)
    doc = registries.get(registry_name, resource_group)
    context = None if source in (None, "/dev/null") else _context_dir(source)
    client = docker_client()
    run_id = _next_run_id(doc["name"])
    task = taskfile.parse(text, lambda t: render(t, doc, run_id, values))
    run = _start(doc, "QuickRun", run_id, no_logs=no_logs, meta=meta, progress=progress)
    run_label = {"azlocal.acr.run": f"{doc['id']}/runs/{run.run_id}".lower()}  # what cancel-run looks for
    tags = labels.labels_for(group=_group(doc), resource_id=doc["id"], **run_label)
    execution = taskfile.Execution(client, doc, run.run_id, task=task, context=context, log=run.log, labels=tags)
    try:
        outputs = _with_timeout(execution, timeout) if timeout else execution.run()
    except AzLocalError as ex:
        _finish_failed(run, str(ex))
        raise RunFailed() from ex
    record = _finish_ok(run, outputs)
    return record if no_logs else None


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


def quick_run(registry_name, source, *, cmd=None, file=None, values=None, timeout=None, no_logs=False,
              resource_group=None, options=None, progress=None):
    """`az acr run`: a command (--cmd) on a context or /dev/null, or a task file (-f, default acb.yaml) in a
    context; `options` are the quick-run options run_options checks (agent pool, auth mode …)."""
    from azlocal.acr import run_options

    if cmd and file:
        raise AzLocalError("Azure Container Registry can run with either --cmd myCommand /dev/null or "
                           "-f myFile mySourceLocation, but not both.")
    run_options.check_quick_run(**(options or {}))
    common = dict(timeout=timeout, no_logs=no_logs, resource_group=resource_group, progress=progress)
    if cmd:
        return run_cmd(registry_name, cmd, source, values, **common)
    if not file and source in (None, "/dev/null"):
        raise AzLocalError("Please provide --cmd myCommand /dev/null, or -f myFile mySourceLocation.")
    return run_file(registry_name, file or "acb.yaml", source, values, **common)
