"""KEDA's cron scaler for container apps: a revision with a `cron` scale rule keeps its desired replicas
between the rule's start and end schedules; evaluated by the daemon once a minute."""


def tick(now):
    """Applies every active revision's cron scale rules for the minute `now` (UTC)."""
