"""The daemon's housekeeping: timers that run beside the listeners until the daemon stops.

Each timer is one loop that survives its own failures (logged as warnings, never raised): ACR task
timers, container-app job schedules and cron scale rules once a minute, commit triggers and event-driven
jobs every five seconds; once a second Dapr sidecars are kept for the running replicas of Dapr-enabled
apps (azlocal.aca.dapr.supervisor); every two seconds idle container-app
revisions scale in, container groups' probes are acted on (azlocal.aci.probes), stale registry uploads are
swept and retention policies applied (azlocal.acr.retention rate-limits itself); once a second the
count of suppressed repeated log lines is written.
"""

import asyncio
import datetime
import logging

log = logging.getLogger("azlocal.daemon")


def start(gateway, repeats, stop):
    """The housekeeping tasks; the caller cancels them once `stop` is set."""
    return [asyncio.create_task(task_timers(stop)), asyncio.create_task(scale_in(gateway, stop)),
            asyncio.create_task(log_repeats(repeats, stop)), asyncio.create_task(dapr_sidecars(stop))]


async def log_repeats(repeats, stop):
    """Once a second: report how many repeated log lines were suppressed."""
    while not stop.is_set():
        repeats.flush()
        await asyncio.sleep(1)


async def dapr_sidecars(stop):
    """Once a second: a sidecar for each running replica of a Dapr-enabled app, none for the others."""
    from azlocal.aca.dapr import supervisor

    while not stop.is_set():
        try:
            await asyncio.get_running_loop().run_in_executor(None, supervisor.sync)
        except Exception as ex:
            log.warning("dapr sidecars: %s", ex)
        await asyncio.sleep(1)


async def scale_in(gateway, stop):
    """Periodic housekeeping: idle container-app revisions scale in; ACI probes' events, restarts and
    readiness gates."""
    from azlocal.aci.probes import restart_unhealthy
    from azlocal.acr import retention
    from azlocal.acr.dataplane.views import sweep_stale_uploads

    while not stop.is_set():
        try:
            await gateway.scale_in()
            await asyncio.get_running_loop().run_in_executor(None, restart_unhealthy)
            await asyncio.get_running_loop().run_in_executor(None, sweep_stale_uploads)  # stale registry uploads
            await asyncio.get_running_loop().run_in_executor(None, retention.sweep)  # untagged manifests
        except Exception as ex:
            log.warning("housekeeping: %s", ex)
        await asyncio.sleep(2)


async def task_timers(stop):
    """Schedules, once a minute: ACR task timers, container-app job schedules and cron scale rules fire for
    the minute that matches. Every five seconds: ACR commit triggers, and event-driven jobs poll their rules."""
    from azlocal.aca import cron_scaling, job_timers
    from azlocal.acr import git_triggers, tasks

    loop = asyncio.get_running_loop()
    last = None
    while not stop.is_set():
        now = datetime.datetime.now(datetime.timezone.utc).replace(second=0, microsecond=0)
        if now != last:
            last = now
            for what, fire in (("task timers", tasks.fire_timers), ("job schedules", job_timers.fire_schedules),
                               ("cron scale rules", cron_scaling.tick)):
                try:
                    await loop.run_in_executor(None, fire, now)
                except Exception as ex:  # a bad row must not stop the timers
                    log.warning("%s: %s", what, ex)
        for what, poll in (("commit triggers", git_triggers.poll), ("event jobs", job_timers.poll_events)):
            try:
                await loop.run_in_executor(None, poll)
            except Exception as ex:
                log.warning("%s: %s", what, ex)
        await asyncio.sleep(5)
