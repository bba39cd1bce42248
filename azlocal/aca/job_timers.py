"""Container-app jobs fired by the daemon: Schedule jobs whose cron expression matches the minute, and
Event jobs whose scale rules ask for executions (polled every few seconds). The same poll supervises every
Running execution (retries, timeouts, completion), so executions go on after the CLI that started them
exits. Every failure is logged and skipped: one broken job never stops the others."""

import logging
import time
import zoneinfo
from datetime import datetime, timezone

from azlocal.aca import job_executions, job_spec, jobs
from azlocal.core import cron
from azlocal.platform.store import store

log = logging.getLogger(__name__)


def _jobs(kind):
    return [j for j in store().list(type=jobs.JOB_TYPE) if j["properties"]["configuration"]["triggerType"] == kind]


def _claim(key, value):
    """True once per (key, value): a minute fired, a poll done (the daemon may restart within a minute)."""
    s = store()
    with s.transaction():
        if s.get_value(key) == value:
            return False
        s.set_value(key, value)
    return True


def fire_schedules(now):
    """Starts one execution of every Schedule job whose cron expression matches the minute `now` (UTC)."""
    minute = now.replace(second=0, microsecond=0)
    for job in _jobs("Schedule"):
        expression = (job["properties"]["configuration"].get("scheduleTriggerConfig") or {}).get("cronExpression")
        try:
            if cron.matches(expression, minute) and _claim(f"aca/job-fired/{job['id'].lower()}", minute.isoformat()):
                jobs.start_execution(job, _template(job))
        except Exception as ex:
            log.warning("schedule of job %s not fired: %s", job["id"], ex)


def _template(job):
    t = job["properties"]["template"]
    return {"containers": t["containers"], "initContainers": t.get("initContainers")}


def cron_rule_active(metadata, now):
    """Whether a KEDA cron rule's window [start, end) holds `now` (in the rule's time zone)."""
    tz = zoneinfo.ZoneInfo(metadata.get("timezone") or "UTC")
    local = now.astimezone(tz).replace(tzinfo=None, second=0, microsecond=0)
    start, end = _last_at_or_before(metadata["start"], local), _last_at_or_before(metadata["end"], local)
    return end < start


def _last_at_or_before(expression, local):
    from croniter import croniter

    if cron.matches(expression, local):
        return local
    return croniter(expression, local).get_prev(datetime)


def wanted_executions(job, running, now):
    """How many new executions an Event job asks for now (KEDA's ScaledJob default strategy: the rules'
    largest demand, at least minExecutions, at most maxExecutions, less those running)."""
    scale = (job["properties"]["configuration"].get("eventTriggerConfig") or {}).get("scale") or {}
    demand = 0
    for rule in scale.get("rules") or []:
        if str(rule.get("type")).lower() == "cron" and cron_rule_active(rule.get("metadata") or {}, now):
            demand = max(demand, int((rule.get("metadata") or {}).get("desiredReplicas", 1)))
    demand = max(demand, int(scale.get("minExecutions") or 0))
    demand = min(demand, int(scale.get("maxExecutions") or job_spec.DEFAULT_MAX_EXECUTIONS))
    return max(0, demand - running)


def poll_events():
    """Advances every Running execution, then starts the executions Event jobs' scale rules ask for (each
    job every pollingInterval seconds)."""
    for job, execution in job_executions.running():
        try:
            job_executions.advance(job, execution)
        except Exception as ex:
            log.warning("execution %s not advanced: %s", execution["id"], ex)
    now = datetime.now(timezone.utc)
    for job in _jobs("Event"):
        try:
            _poll_event_job(job, now)
        except Exception as ex:
            log.warning("event job %s not polled: %s", job["id"], ex)


def _poll_event_job(job, now):
    scale = (job["properties"]["configuration"].get("eventTriggerConfig") or {}).get("scale") or {}
    interval = int(scale.get("pollingInterval") or job_spec.DEFAULT_POLLING)
    slot = int(time.time()) // interval
    if not _claim(f"aca/job-polled/{job['id'].lower()}", slot):
        return
    running = sum(1 for e in job_executions.list_executions(job)
                  if e["properties"]["status"] == job_executions.RUNNING)
    for _ in range(wanted_executions(job, running, now)):
        jobs.start_execution(job, _template(job))
