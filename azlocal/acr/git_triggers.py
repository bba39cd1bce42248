"""Commit triggers of ACR tasks on git contexts: the daemon watches each trigger's branch and starts a run
for every new commit.

Every five seconds `poll()` reads the head of the watched branch in the task's clone (the store's key/value
table keeps the last one seen per task: the first poll after a task is created only records it). A new head
starts the task in its own process (`run_commit`), its context pinned to that commit; the run is recorded as
ACR records a commit-triggered one: `sourceTrigger{eventType: "Commit", commitId, branchName, ...}`.
Several commits between two polls are one run, of the newest, as one push of several commits is on Azure.
"""

import json
import os
import subprocess
import sys

from knack.log import get_logger

from azlocal.core import settings
from azlocal.core.errors import AzLocalError
from azlocal.platform.store import store

logger = get_logger(__name__)
SEEN = "acr-commit-trigger/"  # key/value prefix: task id -> {"context", "branch", "created", "commit"} last seen


def watched(task):
    """The enabled commit trigger of a task on a git context, or None. (A disabled task's branch is still
    followed, so enabling it again does not fire for the commits made meanwhile.)"""
    from azlocal.acr import sources

    context = (task.get("step") or {}).get("contextPath")
    for trigger in (task.get("trigger") or {}).get("sourceTriggers") or []:
        if trigger.get("status") == "Enabled" and "commit" in trigger.get("sourceTriggerEvents", []) \
                and sources.is_git(context):
            return trigger
    return None


def poll():
    """Housekeeping: fires the commit triggers whose branch moved since the last poll. Returns runs started."""
    from azlocal.acr import sources, tasks

    s = store()
    started = 0
    for task in s.list(type=tasks.TASK_TYPE):
        trigger = watched(task)
        if trigger is None:
            continue
        context = task["step"]["contextPath"]
        branch = trigger["sourceRepository"]["branch"]
        try:
            ctx = sources.parse(context)
            commit = sources.head(ctx, branch)
        except AzLocalError as ex:  # no clone (any more), no such branch: nothing to watch yet
            logger.debug("commit trigger of %s: %s", task["id"], ex)
            continue
        key = SEEN + task["id"].lower()
        now = {"context": context, "branch": branch, "created": task.get("creationDate"), "commit": commit}
        with s.transaction():
            last = s.get_value(key)
            if last == now:
                continue
            s.set_value(key, now)
        if last is None or [last.get(k) for k in ("context", "branch", "created")] != [context, branch,
                                                                                   now["created"]]:
            continue  # first sight of this trigger (or of a task re-created under its name): only recorded
        registry_doc = s.get(task["id"].rsplit("/tasks/", 1)[0])
        if registry_doc and task.get("status") == "Enabled":
            _spawn(registry_doc, task["name"], descriptor(ctx, branch, commit))
            started += 1
    return started


def descriptor(ctx, branch, commit):
    """The run's `sourceTrigger`, as ACR records a commit-triggered run."""
    from azlocal.acr import sources

    return {"branchName": branch, "commitId": commit, "eventType": "Commit", "id": commit,
            "providerType": sources.provider(ctx.url), "pullRequestId": None, "repositoryUrl": ctx.repository}


def _spawn(registry_doc, task_name, source_trigger):
    env = dict(os.environ, AZLOCAL_HOME=str(settings.home()), AZLOCAL_RUN_TRIGGER="Commit",
               AZLOCAL_RUN_SOURCE_TRIGGER=json.dumps(source_trigger))
    subprocess.Popen([sys.executable, "-c", "from azlocal.acr.git_triggers import main; main()", registry_doc["name"],
                      task_name, json.dumps(source_trigger)], env=env, stdin=subprocess.DEVNULL,
                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


def main():
    """The process of one commit-triggered run: `<registry> <task> <sourceTrigger JSON>` in argv."""
    registry, task_name, source_trigger = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    run_commit(registry, task_name, source_trigger)


def run_commit(registry, task_name, source_trigger):
    """Runs the task on the context pinned to the commit, then records the commit on the run."""
    from azlocal.acr import registries, runs, sources, tasks

    task = tasks.get(registry, task_name)
    ctx = sources.parse(task["step"]["contextPath"])
    pinned = f"{ctx.repository}#{source_trigger['commitId']}:{ctx.folder}"
    doc = registries.get(registry)
    before = {r["id"] for r in store().list(type=runs.RUN_TYPE, parent_id=doc["id"])}
    try:
        tasks.run(registry, task_name, no_logs=True, trigger="Commit", overrides={"context": pinned},
                  progress=lambda kind, text: None)
    finally:
        _mark(doc, task_name, before, source_trigger)


def _mark(doc, task_name, before, source_trigger):
    from azlocal.acr import runs

    s = store()
    with s.transaction():
        for run in s.list(type=runs.RUN_TYPE, parent_id=doc["id"]):
            if run["id"] not in before and run.get("task") == task_name:
                run["sourceTrigger"] = source_trigger
                s.put(run)
