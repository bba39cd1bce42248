"""KEDA's cron scaler for container apps, and the check of a template's scale rules.

A revision with a `cron` scale rule (metadata timezone, start, end, desiredReplicas) runs at least
desiredReplicas replicas (at most maxReplicas) between the rule's start and end schedules, read in its
timezone: as KEDA decides it, the window is open when the next end comes before the next start. The daemon
calls `tick(now)` once a minute. Replicas a cron rule starts carry a label saying so; when the window closes
the revision goes back to its minimum (those replicas first). Each decision is a system event naming the rule.

Other KEDA scalers (azure-queue, azure-servicebus, kafka, ...) have no event source offline: they are kept as
given, with a warning that they do not fire here."""

import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from knack.log import get_logger

from azlocal.core import cron
from azlocal.core.errors import ValidationError

logger = get_logger(__name__)

LOCAL_KINDS = ("http", "tcp", "cron")
_CRON_KEYS = ("timezone", "start", "end", "desiredReplicas")


def kind_of(rule):
    """A rule's scaler type: http, tcp, a custom rule's type (lower-cased), or its typed block (azureQueue)."""
    for key in ("http", "tcp"):
        if rule.get(key) is not None:
            return key
    if rule.get("custom") is not None:
        return str(rule["custom"].get("type") or "").lower()
    return next((k for k, v in rule.items() if k != "name" and isinstance(v, dict)), "unknown")


def _metadata(rule):
    return (rule.get("custom") or {}).get("metadata") or {}


def check_cron(name, metadata):
    """A cron rule's metadata as KEDA requires it (raises ValidationError naming the rule and the key)."""
    missing = [k for k in _CRON_KEYS if not str(metadata.get(k) or "").strip()]
    if missing:
        raise ValidationError(f"The cron scale rule '{name}' needs the metadata {', '.join(missing)} (e.g. "
                              "timezone=Etc/UTC start='0 8 * * *' end='0 18 * * *' desiredReplicas=2).")
    try:
        ZoneInfo(str(metadata["timezone"]))
    except (ZoneInfoNotFoundError, ValueError) as ex:
        raise ValidationError(f"The cron scale rule '{name}' has an unknown timezone '{metadata['timezone']}': "
                              "give an IANA time zone name, e.g. Europe/London or Etc/UTC.") from ex
    for key in ("start", "end"):
        if not cron.is_valid(str(metadata[key])):
            raise ValidationError(f"The cron scale rule '{name}' has an invalid {key} '{metadata[key]}': give a "
                                  "cron expression of five fields, e.g. '0 8 * * *'.")
    if str(metadata["start"]).split() == str(metadata["end"]).split():
        raise ValidationError(f"The cron scale rule '{name}': start and end must not be the same schedule.")
    try:
        desired = int(str(metadata["desiredReplicas"]))
    except ValueError:
        desired = -1
    if desired < 0:
        raise ValidationError(f"The cron scale rule '{name}': desiredReplicas must be a whole number of 0 or "
                              f"more, got '{metadata['desiredReplicas']}'.")


def check_rules(template):
    """The template's scale rules, checked before a revision is made: cron rules' metadata must be valid;
    scalers with nothing to watch offline are accepted with a warning."""
    for rule in ((template.get("scale") or {}).get("rules") or []):
        if not isinstance(rule, dict):
            raise ValidationError("Invalid scale rule: each rule must be a mapping with a name.")
        kind = kind_of(rule)
        if kind == "cron":
            check_cron(rule.get("name"), _metadata(rule))
        elif kind not in LOCAL_KINDS:
            logger.warning("Scale rule '%s' of type '%s' is recorded; azlocal has no KEDA scaler for it offline, so "
                           "it never fires here and the app keeps its minimum number of replicas.",
                           rule.get("name"), kind)


# Evaluation --------------------------------------------------------------------------------------

def window_open(metadata, now):
    """Whether `now` (an aware or UTC datetime) is inside the rule's window, in the rule's timezone."""
    if now.tzinfo is None:
        now = now.replace(tzinfo=datetime.timezone.utc)
    local = now.astimezone(ZoneInfo(str(metadata["timezone"])))
    # KEDA: closed while the next start comes before the next end (the start's minute opens it, the end's closes).
    return cron.next_after(str(metadata["end"]), local) <= cron.next_after(str(metadata["start"]), local)


def wanted(template, now):
    """(replicas, rule name) the template's open cron windows ask for at `now`; (None, None) when none is open."""
    best = (None, None)
    for rule in ((template.get("scale") or {}).get("rules") or []):
        if isinstance(rule, dict) and kind_of(rule) == "cron":
            metadata = _metadata(rule)
            try:
                if window_open(metadata, now):
                    desired = int(str(metadata["desiredReplicas"]))
                    if best[0] is None or desired > best[0]:
                        best = (desired, rule.get("name"))
            except (KeyError, ValueError, ZoneInfoNotFoundError):
                continue
    return best


def floor(template, now=None):
    """The fewest replicas the template's cron rules allow at `now` (0 when no window is open)."""
    desired, _ = wanted(template, now or datetime.datetime.now(datetime.timezone.utc))
    return desired or 0


def _revise(app, rev, now):
    from azlocal.aca import revision_events as events
    from azlocal.aca import revisions
    from azlocal.aca.appstore import environment_of
    from azlocal.platform.engine import labels

    template = rev["properties"]["template"]
    scale = template.get("scale") or {}
    minimum, maximum = scale.get("minReplicas") or 0, scale.get("maxReplicas") or 10
    desired, rule = wanted(template, now)
    heads = revisions.pod_heads(app["id"], rev["name"])
    if desired is not None:
        target = min(max(desired, minimum), maximum)
        if len(heads) < target:
            revisions.start_replicas(app, rev, environment_of(app), target - len(heads), scaler="cron")
            events.scaled(app, rev["name"], len(heads), target, f"the cron scale rule '{rule}' is active")
        return
    ours = [h for h in heads if h.labels.get(revisions.SCALER_LABEL) == "cron"]
    if not ours:
        return  # no window just closed: the other scalers decide
    extra = ours + [h for h in heads if h not in ours]
    gone = extra[:max(0, len(heads) - minimum)]
    for head in gone:
        revisions.stop_replica(app["id"], rev["name"], head.labels.get(labels.ACA_REPLICA))
    events.scaled(app, rev["name"], len(heads), len(heads) - len(gone), "the cron scale rules' windows are closed")


def tick(now):
    """Applies every active revision's cron scale rules for the minute `now` (UTC)."""
    from azlocal.aca import revisions
    from azlocal.aca.appstore import APP_TYPE
    from azlocal.platform.store import store

    for app in store().list(type=APP_TYPE):
        for rev in revisions.all_revisions(app):
            props = rev["properties"]
            if not props.get("active") or props.get("provisioningState") == "Failed":
                continue
            rules = (props["template"].get("scale") or {}).get("rules") or []
            if not any(isinstance(r, dict) and kind_of(r) == "cron" for r in rules):
                continue
            try:
                _revise(app, rev, now)
            except Exception as ex:  # one revision must not stop the others
                logger.warning("cron scale rules of revision '%s': %s", rev["name"], ex)
