"""Container-app jobs fired by the daemon: Schedule jobs whose cron expression matches the minute, and
Event jobs whose scale rules ask for executions (polled every few seconds)."""


def fire_schedules(now):
    """Starts one execution of every Schedule job whose cron expression matches the minute `now` (UTC)."""


def poll_events():
    """Starts the executions Event jobs' scale rules ask for."""
