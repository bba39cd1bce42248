"""ACR task resources: saved builds and runs, started by hand, by a timer, or when a base image is pushed.

A task is a `registries/tasks` row. Running it is the same as the quick build or run it stands
for (services.runs), recorded with the task's name. Timers are checked by the daemon once a
minute; base-image triggers fire from the registry's push events. Both start the run as a
separate `az acr task run` process, so it is recorded and logged like any other.
"""

import os
import subprocess
import sys
from datetime import datetime, timezone

from azlocal.acr import registries, run_options, run_steps, runs, sources
from azlocal.acr.cron import check_cron, cron_matches
from azlocal.core import arm, settings
from azlocal.core.errors import AzLocalError, ResourceNotFound, ValidationError
from azlocal.core.lookups import not_found
from azlocal.platform.store import store

TASK_TYPE = "Microsoft.ContainerRegistry/registries/tasks"


def _id(doc, name):
    return f"{doc['id']}/tasks/{name}"


def get(registry, name, resource_group=None):
    doc = registries.get(registry, resource_group)
    return store().require(_id(doc, name), not_found(f"{TASK_TYPE}/{doc['name']}", name,
                                                     registries.group_of_doc(doc), pointer=False))


def list_tasks(registry, resource_group=None):
    doc = registries.get(registry, resource_group)
    return store().list(type=TASK_TYPE, parent_id=doc["id"])


def _context(context):
    if context in (None, "/dev/null"):
        return "/dev/null"
    if sources.is_git(context):
        return sources.check(context)  # kept as given; resolved to a local clone's tree at run time
    if "://" in context or context.startswith("git@"):
        raise AzLocalError(f"The context '{context}' is a remote location that is not a git repository, which is "
                           "not available offline. Use a local directory or a git URL as --context.")
    if not os.path.isdir(context):
        raise AzLocalError(f"The context '{context}' is not a local directory.")
    return os.path.abspath(context)


def _timers(schedule):
    timers = []
    for i, item in enumerate(schedule or []):
        name, sep, cron = item.partition(":")
        if not sep or " " in name:
            name, cron = f"t{i + 1}", item
        check_cron(cron)
        timers.append({"name": name, "schedule": cron, "status": "Enabled"})
    return timers or None


_STEP_ARGS = ("context", "file", "cmd", "images", "values", "set_values", "set_secrets", "build_args", "secret_args",
              "target", "no_push")


def create(registry, name, resource_group=None, *, status="Enabled", timeout=3600, schedule=None,
           base_image_trigger=True, options=None, **step_args):
    """ARM's PUT of a task: a new one, or an existing one of that name replaced. `step_args`: _STEP_ARGS."""
    doc = registries.get(registry, resource_group)
    if not name.replace("-", "").replace("_", "").isalnum() or not 5 <= len(name) <= 50:
        raise ValidationError("Task names must be 5-50 characters of letters, digits, '-' or '_'.")
    options = dict(options or {})
    task_id = _id(doc, name)
    if options.get("is_system_task") and name == "quicktask":
        step = None
    else:
        if not step_args.get("context"):
            raise AzLocalError("If the task is not a System Task, --context must be provided.")
        step = _step(task_id, dict.fromkeys(_STEP_ARGS) | step_args | {"timeout": timeout})
    _check_timeout(timeout)
    now = arm.utc_now()
    task = {
        "agentConfiguration": {"cpu": 2}, "agentPoolName": None, "creationDate": now, "credentials": None,
        "id": task_id, "identity": None, "isSystemTask": False, "location": doc["location"],
        "logTemplate": None, "name": name, "platform": {"architecture": "amd64", "os": "linux", "variant": None},
        "provisioningState": "Succeeded", "status": status, "step": step, "systemData": doc.get("systemData"),
        "tags": None, "timeout": timeout, "type": TASK_TYPE,
        "trigger": {
            "baseImageTrigger": {"baseImageTriggerType": "Runtime", "name": "defaultBaseimageTriggerName",
                                 "status": "Enabled", "updateTriggerEndpoint": None,
                                 "updateTriggerPayloadType": "Default"}
            if step and base_image_trigger else None,  # as az: every step kind, unless disabled (then none)
            "sourceTriggers": sources.source_triggers(step, options),
            "timerTriggers": _timers(schedule),
        },
    }
    run_options.apply_task_options(task, True, **options)
    s = store()
    with s.transaction():
        existing = s.get(task["id"])
        if existing is not None:
            task["creationDate"] = existing["creationDate"]
        s.put(task)
    return task


def _step(task_id, spec):
    cmd, file, values, set_values, set_secrets = (spec[k] for k in ("cmd", "file", "values", "set_values",
                                                                    "set_secrets"))
    if bool(cmd) + bool(file) > 1:
        raise ValidationError("Usage error: --cmd and --file cannot be used together.")
    context_path = _context(spec["context"])
    folder = sources.folder(context_path)  # a git context's committed tree, for the checks below
    if cmd:  # as az sends it: the one-step task file, base64; no context is null (ours keeps `cmd` too)
        return {"contextPath": None if context_path == "/dev/null" else context_path, "type": "EncodedTask",
                "encodedTaskContent": run_options.encoded_cmd(cmd, spec.get("timeout")),
                "values": run_options.entries(task_id, "values", set_values, set_secrets), "cmd": cmd}
    if file and not file.lower().endswith(("dockerfile",)) and file.lower().endswith((".yaml", ".yml")):
        if context_path == "/dev/null":
            raise ValidationError("A task file needs a local --context that contains it.")
        if not os.path.isfile(os.path.join(folder, file)):
            raise AzLocalError(f"{file} does not exist.")
        return {"contextPath": context_path, "taskFilePath": file, "type": "FileTask", "valuesFilePath": values,
                "values": run_options.entries(task_id, "values", set_values, set_secrets)}
    if context_path == "/dev/null":
        raise ValidationError("A build task needs a local --context with a Dockerfile.")
    dockerfile = file or "Dockerfile"
    path = os.path.join(folder, dockerfile)
    if not os.path.isfile(path):
        raise AzLocalError(f"Unable to find '{dockerfile}'.")
    build_args, secret_args = spec["build_args"], spec["secret_args"]
    plain_args = list(build_args or [])
    bases = run_steps.base_images(path, list(build_args or []) + list(secret_args or []))
    kinds = run_options.mark_dependencies(bases)
    return {"arguments": run_options.entries(task_id, "arguments", plain_args, secret_args),
            "baseImageDependencies": [_dependency(b, kind) for b, kind in zip(bases, kinds)],
            "contextPath": context_path, "dockerFilePath": dockerfile, "imageNames": list(spec["images"] or []),
            "isPushEnabled": not spec["no_push"], "noCache": False, "target": spec["target"], "type": "Docker"}


def _dependency(base, kind):
    """A base image as the task lists it; Docker Hub's are at registry.hub.docker.com."""
    from azlocal.platform.engine.images import parse_reference

    reference = parse_reference(base)
    return {"digest": None, "registry": reference.registry or "registry.hub.docker.com",
            "repository": reference.repository, "tag": reference.tag or "latest", "type": kind}


def update(registry, name, resource_group=None, *, status=None, timeout=None, base_image_trigger=None,
           options=None, **step_args):
    """ARM's PATCH of a task: the given properties changed. `step_args`: _STEP_ARGS."""
    spec = dict.fromkeys(_STEP_ARGS) | step_args
    task = get(registry, name, resource_group)
    step = task["step"]
    if status:
        task["status"] = status
    if timeout is not None:
        _check_timeout(timeout)
        task["timeout"] = timeout
    if step is None and any(v is not None for v in spec.values()):
        raise AzLocalError(f"The task '{name}' is a system task: it has no step to update.")
    if spec["context"] is not None:
        step["contextPath"] = _context(spec["context"])
    sources.update_source_triggers(task, options if options is not None else {})
    if step is not None:
        _update_step(task, step, spec)
    if base_image_trigger is not None and step is not None:
        from azlocal.acr import task_timers

        task_timers.set_base_image_trigger(task, base_image_trigger)
    run_options.apply_task_options(task, False, **(options or {}))
    s = store()
    with s.transaction():
        s.put(task)
    return task


def _update_step(task, step, spec):
    cmd, file, values, set_values, set_secrets = (spec[k] for k in ("cmd", "file", "values", "set_values",
                                                                    "set_secrets"))
    kind = step["type"]
    if cmd is not None and kind != "EncodedTask" or file is not None and kind == "EncodedTask":
        raise AzLocalError(f"The task's step is a {kind} step: --cmd updates only a command task, --file only a "
                           "build or task-file task.")
    if cmd is not None:
        step["cmd"], step["encodedTaskContent"] = cmd, run_options.encoded_cmd(cmd, task["timeout"])
    if file is not None:
        step["dockerFilePath" if kind == "Docker" else "taskFilePath"] = file
    if values is not None and kind == "FileTask":
        step["valuesFilePath"] = values
    if set_values or set_secrets:
        kept = {e["name"]: e for e in step.get("values") or []}
        for e in run_options.entries(task["id"], "values", set_values, set_secrets):
            kept[e["name"]] = e
        step["values"] = list(kept.values())
    if kind == "Docker":
        _update_docker_step(task, step, spec)


def _update_docker_step(task, step, spec):
    images, build_args, secret_args, target, no_push = (spec[k] for k in ("images", "build_args", "secret_args",
                                                                          "target", "no_push"))
    if images is not None:
        step["imageNames"] = list(images)
    if build_args or secret_args:
        kept = {e["name"]: e for e in step.get("arguments") or []}
        for e in run_options.entries(task["id"], "arguments", build_args, secret_args):
            kept[e["name"]] = e
        step["arguments"] = list(kept.values())
    if target is not None:
        step["target"] = target
    if no_push is not None:
        step["isPushEnabled"] = not no_push


def _check_timeout(timeout):
    # ACR's task API bounds a task's timeout (seconds); a quick `az acr run` is not a task.
    if timeout is not None and not 300 <= timeout <= 28800:
        raise ValidationError(f"(InvalidParameters) The timeout {timeout} is out of range: a task's timeout must "
                              "be between 300 and 28800 seconds.")


def delete(registry, name, resource_group=None):
    task = get(registry, name, resource_group)
    s = store()
    with s.transaction():
        s.delete(task["id"])


def run(registry, name, resource_group=None, no_logs=False, set_values=None, *, trigger=None, overrides=None,
        progress=None):
    """Runs the task now; `overrides` (az acr task run's --arg, --secret-arg, --set-secret, --context, --file,
    --target) apply to this run only."""
    task = get(registry, name, resource_group)
    if task["status"] != "Enabled":
        raise AzLocalError(f"The task '{name}' is disabled.")
    step = task["step"]
    if step is None:
        raise AzLocalError(f"The task '{name}' is a system task: it has no step to run.")
    overrides = overrides or {}
    values = {v["name"]: v["value"] for v in run_options.resolved(task["id"], "values", step.get("values"))}
    values.update(set_values or {})
    values.update(dict(run_options.pairs(overrides.get("set_secret"))))
    context = sources.folder(_context(overrides["context"]) if overrides.get("context") else step["contextPath"])
    common = dict(timeout=task["timeout"], no_logs=no_logs, resource_group=resource_group, progress=progress,
                  meta={"task": name, "trigger": trigger})  # trigger None: the one that spawned this process
    if step["type"] == "EncodedTask":
        return runs.run_cmd(registry, step["cmd"], context, values, **common)
    if step["type"] == "FileTask":
        return runs.run_file(registry, overrides.get("file") or step["taskFilePath"], context, values, **common)
    arguments = [f"{a['name']}={a['value']}" for a in run_options.resolved(task["id"], "arguments",
                                                                          step.get("arguments"))]
    return runs.build(registry, context, step["imageNames"], overrides.get("file") or step["dockerFilePath"],
                      build_args=arguments + list(overrides.get("arg") or []),
                      secret_build_args=list(overrides.get("secret_arg") or []), no_push=not step["isPushEnabled"],
                      target=overrides.get("target") or step.get("target"), no_cache=bool(step.get("noCache")),
                      **common)


# Runs --------------------------------------------------------------------------------------------

def list_runs(registry, task=None, status=None, top=15, image=None, resource_group=None):
    doc = registries.get(registry, resource_group)
    found = store().list(type=runs.RUN_TYPE, parent_id=doc["id"])
    if task:
        found = [r for r in found if r.get("task") == task]
    if status:
        found = [r for r in found if r["status"] == status]
    if image:
        from azlocal.acr import taskruns

        found = taskruns.with_image(registry, found, image)
    found.sort(key=lambda r: r["createTime"], reverse=True)
    return found[:top] if top else found


def show_run(registry, run_id, resource_group=None):
    doc = registries.get(registry, resource_group)
    run_doc = store().get(f"{doc['id']}/runs/{run_id}")
    if run_doc is None:
        raise ResourceNotFound(f"The run '{run_id}' was not found in registry '{doc['name']}'.",
                               code="RunNotFound")
    return run_doc


def logs(registry, run_id=None, task=None, resource_group=None, image=None):
    """The run's log text (the latest run's, with a warning saying which, when no run id is given)."""
    from knack.log import get_logger

    doc = registries.get(registry, resource_group)
    if not run_id:
        latest = list_runs(registry, task=task, top=1, image=image, resource_group=resource_group)
        about = (f" for task '{task}'" if task else "") + (f" for image '{image}'" if image else "")
        if not latest:
            raise AzLocalError(f"Could not find the last created run{about}.")
        run_id = latest[0]["runId"]
        get_logger(__name__).warning("Showing logs of the last created run%s.", about)
        get_logger(__name__).warning("Run ID: %s", run_id)
    show_run(registry, run_id, resource_group)
    path = runs.log_path(doc["name"], run_id)
    return path.read_text(errors="replace") if path.exists() else ""


def cancel_run(registry, run_id, resource_group=None):
    """Stops the run's containers and marks it Canceled; its `az` process then ends with an error."""
    from azlocal.platform.engine.docker_client import client

    run_doc = show_run(registry, run_id, resource_group)
    if run_doc["status"] not in ("Queued", "Running", "Started"):
        raise AzLocalError(f"The run '{run_id}' has already finished with status {run_doc['status']}.")
    run_doc["status"] = "Canceled"
    run_doc["finishTime"] = arm.utc_now()
    s = store()
    with s.transaction():
        s.put(run_doc)
    wanted = {"label": [f"azlocal.acr.run={run_doc['id'].lower()}", f"azlocal.home={settings.label_value()}"]}
    for container in client().containers.list(all=True, filters=wanted):
        container.remove(force=True)


# Triggers ---------------------------------------------------------------------------------------

def _spawn(doc, task_name, trigger, extra_env=None):
    env = dict(os.environ, AZLOCAL_HOME=str(settings.home()), AZLOCAL_RUN_TRIGGER=trigger, **(extra_env or {}))
    subprocess.Popen([sys.executable, "-c", "from azlocal.cli import main; main()", "acr", "task", "run", "-r",
                      doc["name"], "-n", task_name, "--no-logs", "-o", "none"], env=env, stdin=subprocess.DEVNULL,
                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


def on_image_push(registry_name, repository, tag):
    """Base-image triggers: tasks of this registry that build FROM the pushed image run again."""
    doc = registries.find(registry_name)
    if doc is None or not tag:
        return []
    fired = []
    for task in store().list(type=TASK_TYPE, parent_id=doc["id"]):
        trigger = (task.get("trigger") or {}).get("baseImageTrigger")
        if task["status"] != "Enabled" or not trigger or trigger["status"] != "Enabled":
            continue
        for dep in (task["step"] or {}).get("baseImageDependencies") or []:
            if not run_options.triggers_on(trigger, dep):
                continue
            if dep["registry"] == doc["loginServer"] and dep["repository"] == repository and dep["tag"] == tag:
                produced = {i.split(":")[0] for i in task["step"].get("imageNames") or []}
                if repository not in produced:  # a task rebuilding its own base would loop
                    _spawn(doc, task["name"], "Image Update")
                    fired.append(task["name"])
                break
    return fired


def due_timers(now=None):
    """(registry doc, task name) for every enabled timer whose schedule matches this minute."""
    now = now or datetime.now(timezone.utc)
    due = []
    for task in store().list(type=TASK_TYPE):
        if task["status"] != "Enabled":
            continue
        for timer in (task.get("trigger") or {}).get("timerTriggers") or []:
            if timer["status"] == "Enabled" and cron_matches(timer["schedule"], now):
                registry_doc = store().get(task["id"].rsplit("/tasks/", 1)[0])
                if registry_doc:
                    due.append((registry_doc, task["name"]))
    return due


spawn_run = _spawn  # (doc, task name, trigger, extra env): a run in its own `az acr task run` process


def fire_timers(now=None):
    """The daemon's once-a-minute call: task_timers starts the due timers' runs, each naming its timer."""
    from azlocal.acr import task_timers

    return task_timers.fire(now)
