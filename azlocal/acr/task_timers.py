"""Timer triggers of ACR tasks: `az acr task timer add/update/remove/list`, and their firing.

A timer is `{"name", "schedule", "status"}` in the task's `trigger.timerTriggers`. The daemon's
housekeeping calls `fire(now)` once a minute (through tasks.fire_timers): every enabled timer of an
enabled task whose cron schedule matches that minute starts one run, as a separate `az acr task run`
process whose record names the timer (`timerTrigger.timerTriggerName`) and the minute it was due
(`timerTrigger.scheduleOccurrence`). A minute fires a timer once, even when the daemon restarts within it.
"""

import os
from datetime import datetime, timezone

from azlocal.acr.cron import check_cron, cron_matches
from azlocal.core.errors import AzLocalError
from azlocal.platform.store import store

TIMER_ENV = "AZLOCAL_RUN_TIMER"
OCCURRENCE_ENV = "AZLOCAL_RUN_SCHEDULE_OCCURRENCE"


def _tasks():
    from azlocal.acr import tasks  # tasks imports this module to fire timers

    return tasks


def _save(task):
    s = store()
    with s.transaction():
        s.put(task)
    return task


def _check_name(timer_name):
    if not timer_name or not timer_name.strip() or ":" in timer_name:
        raise AzLocalError(f"The timer name '{timer_name}' is not valid: give a non-empty name without ':'.")


def add(registry, task_name, timer_name, schedule, enabled=True, resource_group=None):
    """ARM's PATCH with one timer: a new timer (listed first, as ACR lists them), or the one of that name
    changed. Returns the task."""
    _check_name(timer_name)
    check_cron(schedule)
    task = _tasks().get(registry, task_name, resource_group)
    trigger = task.get("trigger") or {}
    timers = [t for t in trigger.get("timerTriggers") or [] if t["name"] != timer_name]
    timers.insert(0, {"name": timer_name, "schedule": schedule, "status": "Enabled" if enabled else "Disabled"})
    task["trigger"] = dict(trigger, timerTriggers=timers)
    return _save(task)


def update(registry, task_name, timer_name, schedule=None, enabled=None, resource_group=None):
    """Changes the schedule and/or status of an existing timer. Returns the task."""
    if schedule is not None:
        check_cron(schedule)
    task = _tasks().get(registry, task_name, resource_group)
    timers = (task.get("trigger") or {}).get("timerTriggers") or []
    timer = next((t for t in timers if t["name"] == timer_name), None)
    if timer is None:
        raise AzLocalError(f"The timer '{timer_name}' does not exist for the task '{task_name}'.")
    if schedule is not None:
        timer["schedule"] = schedule
    if enabled is not None:
        timer["status"] = "Enabled" if enabled else "Disabled"
    return _save(task)


def remove(registry, task_name, timer_name, resource_group=None):
    """Removes a timer (az does it with a PUT of the task without it). Returns the task."""
    task = _tasks().get(registry, task_name, resource_group)
    trigger = task.get("trigger")
    if not trigger:
        raise AzLocalError(f"No triggers exist for the task '{task_name}'.")
    timers = trigger.get("timerTriggers") or []
    if not timers:
        raise AzLocalError(f"No timer triggers exist for the task '{task_name}'.")
    if not any(t["name"] == timer_name for t in timers):
        raise AzLocalError(f"The timer '{timer_name}' does not exist for the task '{task_name}'.")
    trigger["timerTriggers"] = [t for t in timers if t["name"] != timer_name] or None
    return _save(task)


def list_timers(registry, task_name, resource_group=None):
    task = _tasks().get(registry, task_name, resource_group)
    trigger = task.get("trigger")
    return {} if not trigger else trigger.get("timerTriggers")


# Firing ---------------------------------------------------------------------------------------

def due(now=None):
    """(registry doc, task name, timer name) for every enabled timer whose schedule matches this minute."""
    from azlocal.acr.tasks import TASK_TYPE

    now = now or datetime.now(timezone.utc)
    found = []
    for task in store().list(type=TASK_TYPE):
        if task["status"] != "Enabled":
            continue
        for timer in (task.get("trigger") or {}).get("timerTriggers") or []:
            try:
                matches = timer["status"] == "Enabled" and cron_matches(timer["schedule"], now)
            except (KeyError, ValueError):
                continue  # a schedule that was never valid: it never fires
            if matches:
                registry_doc = store().get(task["id"].rsplit("/tasks/", 1)[0])
                if registry_doc:
                    found.append((registry_doc, task["name"], timer["name"]))
    return found


def occurrence(now):
    return now.replace(second=0, microsecond=0).astimezone(timezone.utc).isoformat()


def fire(now=None, spawn=None):
    """Starts the runs of the timers due at `now`'s minute (each at most once a minute); returns
    [(task name, timer name)] started. `spawn(doc, task name, trigger, env)` starts one run."""
    now = now or datetime.now(timezone.utc)
    spawn = spawn or _tasks().spawn_run
    minute = occurrence(now)
    started = []
    s = store()
    for registry_doc, task_name, timer_name in due(now):
        key = f"acr-timer-fired/{registry_doc['id'].lower()}/{task_name.lower()}/{timer_name}"
        with s.transaction():
            if s.get_value(key, None) == minute:
                continue
            s.set_value(key, minute)
        spawn(registry_doc, task_name, "Timer", {TIMER_ENV: timer_name, OCCURRENCE_ENV: minute})
        started.append((task_name, timer_name))
    return started


def run_trigger(trigger):
    """The run record's `timerTrigger`: the timer that started this run process, or None."""
    if trigger != "Timer":
        return None
    return {"scheduleOccurrence": os.environ.get(OCCURRENCE_ENV), "timerTriggerName": os.environ.get(TIMER_ENV)}


def set_base_image_trigger(task, enabled):
    """`task update --base-image-trigger-enabled`: the trigger's status; a task without one gets the default."""
    trigger = task.setdefault("trigger", {})
    if trigger.get("baseImageTrigger") is None:
        if not enabled:
            return
        trigger["baseImageTrigger"] = {"baseImageTriggerType": "Runtime", "name": "defaultBaseimageTriggerName",
                                       "status": "Enabled", "updateTriggerEndpoint": None,
                                       "updateTriggerPayloadType": "Default"}
    trigger["baseImageTrigger"]["status"] = "Enabled" if enabled else "Disabled"
