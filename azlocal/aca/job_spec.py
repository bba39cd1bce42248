"""A job's configuration and template as `job create/update` flags or a job's YAML give them, checked as
Azure checks them (trigger types and their settings, cron expressions, counts, scale rules). Pure: no
store, no Docker."""

import json
import zoneinfo

from knack.log import get_logger

from azlocal.aca.definition import parse_env_vars
from azlocal.aca.validation import memory as normalise_memory
from azlocal.core import cron
from azlocal.core.errors import ValidationError

logger = get_logger(__name__)

TRIGGERS = {"manual": "Manual", "schedule": "Schedule", "event": "Event"}
CONFIG_KEY = {"Manual": "manualTriggerConfig", "Schedule": "scheduleTriggerConfig", "Event": "eventTriggerConfig"}
# KEDA scalers azlocal evaluates for Event jobs; every other type is stored as given and does not fire here.
LOCAL_SCALERS = ("cron",)
DEFAULT_POLLING = 30
DEFAULT_MAX_EXECUTIONS = 100
CRON_DOC = ("https://learn.microsoft.com/en-us/rest/api/containerapps/jobs/create-or-update?tabs=HTTP"
            "#scheduletriggerconfig")
_NAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789-")


def check_name(name):
    """az's validator for a job's name (the app rule, case-insensitive, as az has it)."""
    text = (name or "").lower()
    ok = 1 <= len(text) < 33 and text[0].isalpha() and text[0].isascii() and set(text) <= _NAME_CHARS and \
        text[-1] != "-" and "--" not in text
    if not ok:
        raise ValidationError(f"Invalid ContainerAppJob name {name}. A name must consist of lower case alphanumeric "
                              "characters or '-', start with a letter, end with an alphanumeric character, cannot "
                              "have '--', and must be less than 32 characters.")


def trigger_type(value):
    """`manual`/`Schedule`/… -> the service's spelling; anything else is refused as the service refuses it."""
    if value is None:
        raise ValidationError("(JobTriggerTypeRequired) The job's configuration.triggerType is required: give "
                              "--trigger-type Manual, Schedule or Event.")
    found = TRIGGERS.get(str(value).lower())
    if found is None:
        raise ValidationError(f"(JobInvalidTriggerType) The trigger type '{value}' is not valid. Allowed values are "
                              "Manual, Schedule and Event.")
    return found


def check_cron(expression):
    if not cron.is_valid(expression):
        raise ValidationError(f"(InvalidCronExpression) Given CRON expression - '{expression or ''}' is not valid, "
                              f"please visit {CRON_DOC} for more information.")
    return expression


def _pairs(items, what):
    out = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise ValidationError(f"{what} must be in format \"{{key}}={{value}} {{key}}={{value}} ...\".")
        if key in out:
            raise ValidationError(f"Duplicate {what.lower()} \"{key}\" found, keys must be unique.")
        out[key] = value
    return out


def scale_rule(name, kind, metadata=None, auth=None):
    """`--scale-rule-*` -> one rule of eventTriggerConfig.scale.rules, as az sends it."""
    if not kind:
        raise ValidationError("Usage error: --scale-rule-type is required with --scale-rule-name")
    auth_pairs = _pairs(auth, "Auth parameters")
    return {"name": name, "type": kind.lower(), "metadata": _pairs(metadata, "Metadata"),
            "auth": [{"secretRef": v, "triggerParameter": k} for k, v in auth_pairs.items()]}


def check_rule(rule, secret_names):
    """A rule's shape; a cron rule's schedule and time zone; auth secrets that exist. Warns for scalers
    that cannot fire offline."""
    if not isinstance(rule, dict) or not rule.get("name") or not rule.get("type"):
        raise ValidationError("(JobInvalidScaleRule) Each scale rule needs a name and a type.")
    meta = rule.get("metadata") or {}
    if not isinstance(meta, dict):
        raise ValidationError(f"(JobInvalidScaleRule) The metadata of scale rule '{rule['name']}' must be a mapping.")
    for a in rule.get("auth") or []:
        if (a.get("secretRef") or "").lower() not in {s.lower() for s in secret_names}:
            raise ValidationError(f"(JobSecretRefNotFound) SecretRef '{a.get('secretRef')}' defined for scale rule "
                                  f"'{rule['name']}' not found.")
    kind = str(rule["type"]).lower()
    if kind == "cron":
        for key in ("start", "end"):
            if not cron.is_valid(meta.get(key)):
                raise ValidationError(f"(JobInvalidScaleRule) The cron scale rule '{rule['name']}' needs a valid "
                                      f"'{key}' cron expression, got '{meta.get(key) or ''}'.")
        try:
            zoneinfo.ZoneInfo(meta.get("timezone") or "UTC")
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValidationError(f"(JobInvalidScaleRule) The cron scale rule '{rule['name']}' has an unknown "
                                  f"timezone '{meta.get('timezone')}'.") from None
        desired = str(meta.get("desiredReplicas", "1"))
        if not desired.isdigit() or int(desired) < 1:
            raise ValidationError(f"(JobInvalidScaleRule) desiredReplicas of the cron scale rule '{rule['name']}' "
                                  "must be a positive integer.")
    elif kind not in LOCAL_SCALERS:
        logger.warning("Scale rule '%s' of type '%s' is recorded; azlocal has no KEDA scaler for it offline, so it "
                       "starts no executions here.", rule["name"], kind)


def _int(value, what, low, high=None):
    if isinstance(value, bool) or not isinstance(value, int) or value < low or (high is not None and value > high):
        bound = f"in the range [{low},{high}]" if high is not None else f"at least {low}"
        raise ValidationError(f"(JobInvalidConfiguration) {what} must be an integer {bound}, got '{value}'.")
    return value


def check_configuration(configuration, secret_names=()):
    """The configuration as Azure checks it: one trigger type with its settings, positive counts, a valid
    cron expression, scale limits. Fills the trigger config's defaults."""
    kind = trigger_type(configuration.get("triggerType"))
    configuration["triggerType"] = kind
    if configuration.get("replicaTimeout") is None:
        raise ValidationError("(JobInvalidConfiguration) configuration.replicaTimeout is required.")
    _int(configuration["replicaTimeout"], "replicaTimeout", 1)
    if configuration.get("replicaRetryLimit") is None:
        configuration["replicaRetryLimit"] = 0
    _int(configuration["replicaRetryLimit"], "replicaRetryLimit", 0)
    for other_kind, key in CONFIG_KEY.items():
        if other_kind != kind and configuration.get(key):
            raise ValidationError(f"(JobInvalidConfiguration) {key} is only allowed for trigger type '{other_kind}'; "
                                  f"this job's trigger type is '{kind}'.")
        configuration.setdefault(key, None)
    block = configuration.get(CONFIG_KEY[kind]) or {}
    if not isinstance(block, dict):
        raise ValidationError(f"(JobInvalidConfiguration) {CONFIG_KEY[kind]} must be a mapping.")
    for key in ("parallelism", "replicaCompletionCount"):
        block[key] = _int(1 if block.get(key) is None else block[key], key, 1)
    if kind == "Schedule":
        check_cron(block.get("cronExpression"))
    if kind == "Event":
        block["scale"] = _check_scale(block.get("scale") or {}, secret_names)
    configuration[CONFIG_KEY[kind]] = block
    return configuration


def _check_scale(scale, secret_names):
    if not isinstance(scale, dict):
        raise ValidationError("(JobInvalidConfiguration) eventTriggerConfig.scale must be a mapping.")
    low = _int(scale.get("minExecutions") or 0, "minExecutions", 0)
    high = _int(DEFAULT_MAX_EXECUTIONS if scale.get("maxExecutions") is None else scale["maxExecutions"],
                "maxExecutions", 1)
    if low > high:
        raise ValidationError("(JobInvalidConfiguration) minExecutions cannot be greater than maxExecutions.")
    _int(scale.get("pollingInterval") or DEFAULT_POLLING, "pollingInterval", 1)
    for rule in scale.get("rules") or []:
        check_rule(rule, secret_names)
    return {"maxExecutions": high, "minExecutions": low,
            "pollingInterval": scale.get("pollingInterval") or DEFAULT_POLLING, "rules": scale.get("rules") or None}


def trigger_block(kind, *, parallelism, completions, cron_expression=None, scale=None):
    """The trigger config az sends for a trigger type (only the chosen one is set)."""
    block = {"parallelism": parallelism, "replicaCompletionCount": completions}
    if kind == "Schedule":
        block["cronExpression"] = cron_expression
    if kind == "Event":
        block["scale"] = scale
    return block


def event_scale(min_executions=None, max_executions=None, polling_interval=None, rule=None):
    scale = {"minExecutions": min_executions, "maxExecutions": max_executions, "pollingInterval": polling_interval}
    if rule is not None:
        scale["rules"] = [rule]
    return scale


def resources(cpu=None, memory=None):
    """A container's resources as the service returns them (its defaults: 0.5 CPU, 1Gi)."""
    try:
        cpu_value = 0.5 if cpu is None else float(cpu)
    except (TypeError, ValueError):
        raise ValidationError(f"Usage error: --cpu must be a number, got '{cpu}'") from None
    return {"cpu": cpu_value, "ephemeralStorage": "2Gi", "memory": normalise_memory(memory or "1Gi")}


def container(name, image, *, cpu=None, memory=None, env_vars=None, command=None, args=None):
    c = {"image": image, "name": name, "resources": resources(cpu, memory)}
    if env_vars:
        c["env"] = parse_env_vars(env_vars)
    if command:
        c["command"] = list(command)
    if args:
        c["args"] = list(args)
    return c


def normalise_template(template, *, volumes=True):
    """A template from YAML (containers, initContainers, volumes), its resources in the service's form."""
    if not isinstance(template, dict) or not isinstance(template.get("containers"), list) or \
            not template["containers"]:
        raise ValidationError("Invalid YAML provided: the job's template.containers is required.")
    out = {"containers": [], "initContainers": None}
    for key in ("containers", "initContainers"):
        items = template.get(key) or []
        if not isinstance(items, list):
            raise ValidationError(f"Invalid YAML provided: template.{key} must be a list.")
        fixed = []
        for c in items:
            if not isinstance(c, dict) or not c.get("image") or not c.get("name"):
                raise ValidationError(f"Invalid YAML provided: each of template.{key} needs a name and an image.")
            res = c.get("resources") if isinstance(c.get("resources"), dict) else {}
            fixed.append(dict(c, resources=resources(res.get("cpu"), res.get("memory"))))
        out[key] = fixed or None
    if volumes:
        out["volumes"] = template.get("volumes") or None
    return json.loads(json.dumps(out))


def check_secret_refs(template, secret_names):
    names = {s.lower() for s in secret_names}
    for c in (template.get("initContainers") or []) + template["containers"]:
        for e in c.get("env") or []:
            if e.get("secretRef") and e["secretRef"].lower() not in names:
                raise ValidationError(f"(ContainerAppSecretRefNotFound) SecretRef '{e['secretRef']}' defined for "
                                      f"container '{c['name']}' not found.")
