"""The container app settings that have no engine of their own offline, built as Azure records them.

Scale rules (their metadata and auth), Dapr (run by the sidecars of azlocal.aca.dapr), managed identities,
workload profiles and registry identities: each is checked as az and the service check it, written into the
app's document the way Azure shows it, and, where nothing here acts on it, said so once with a warning.
"""

from knack.log import get_logger

from azlocal.core.errors import ValidationError

logger = get_logger(__name__)



# Scale rules -------------------------------------------------------------------------------------

def _pairs(items, what, fmt):
    out = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep:
            raise ValidationError(f"{what} must be in format \"{fmt}\".")
        if key in out:
            raise ValidationError(f"Duplicate {'metadata' if what == 'Metadata' else 'trigger parameter'} \"{key}\" "
                                  f"found, {'metadata keys' if what == 'Metadata' else 'trigger paramaters'} must be "
                                  "unique.")
        out[key] = value
    return out


def scale_rule(name, kind=None, concurrency=None, metadata=None, auth=None):
    """`--scale-rule-*` -> the template's `scale.rules` (one rule), or None without a name."""
    if not name:
        if metadata or auth:
            raise ValidationError("Usage error: --scale-rule-name is required with --scale-rule-metadata and "
                                  "--scale-rule-auth")
        return None
    kind = (kind or "http").lower()
    base = {}
    if concurrency:
        if kind == "http":
            base["concurrentRequests"] = str(concurrency)
        elif kind == "tcp":
            base["concurrentConnections"] = str(concurrency)
    meta = _pairs(metadata, "Metadata", "<key>=<value> <key>=<value> ...")
    for key in meta:
        if key in base:
            raise ValidationError(f"Duplicate metadata \"{key}\" found, metadata keys must be unique.")
    base.update(meta)
    auth_def = [{"secretRef": v, "triggerParameter": k} for k, v in
                _pairs(auth, "Auth parameters", "<triggerParameter>=<secretRef> <triggerParameter>=<secretRef> ...")
                .items()]
    # As the service returns a rule: only its kind's block, and `auth` only when there is some.
    block = {"metadata": base, **({"auth": auth_def} if auth_def else {})}
    rule = {"name": name}
    if kind in ("http", "tcp"):
        rule[kind] = block
    else:
        rule["custom"] = dict(block, type=kind)
        if kind == "cron":
            from azlocal.aca.cron_scaling import check_cron

            check_cron(name, base)
    # Scalers with nothing to watch offline are accepted with a warning when the revision is made
    # (azlocal.aca.cron_scaling.check_rules), for flags and YAML alike.
    return [rule]


def hide_rule_metadata(doc):
    """As az prints create's and update's answer (its transform of sensitive values): every scale rule's
    metadata keys with empty values; `show` keeps them. Changes `doc` (a copy the caller owns) and returns it."""
    for rule in (((doc.get("properties") or {}).get("template") or {}).get("scale") or {}).get("rules") or []:
        for key, block in rule.items():
            if key != "name" and isinstance(block, dict) and block.get("metadata"):
                block["metadata"] = {k: "" for k in block["metadata"]}
    return doc


def check_grace_period(seconds):
    if seconds is not None and not 0 <= seconds <= 600:
        raise ValidationError("(ContainerAppInvalidTerminationGracePeriod) terminationGracePeriodSeconds must be in "
                              "the range [0,600].")
    return seconds


# Dapr --------------------------------------------------------------------------------------------

def dapr_doc(current, enabled=None, *, app_id=None, app_port=None, app_protocol=None, log_level=None,
             api_logging=None, max_request_size=None, read_buffer_size=None):
    """The configuration's `dapr` block after a change (None when nothing was ever set)."""
    values = (enabled, app_id, app_port, app_protocol, log_level, api_logging, max_request_size, read_buffer_size)
    if current is None and all(v is None for v in values):
        return None
    dapr = dict(current or {"appId": None, "appPort": None, "appProtocol": "http", "enableApiLogging": False,
                            "enabled": False, "httpMaxRequestSize": None, "httpReadBufferSize": None,
                            "logLevel": "info"})
    for key, value in (("enabled", enabled), ("appId", app_id), ("appPort", app_port), ("appProtocol", app_protocol),
                       ("logLevel", log_level), ("enableApiLogging", api_logging),
                       ("httpMaxRequestSize", max_request_size), ("httpReadBufferSize", read_buffer_size)):
        if value is not None:
            dapr[key] = value
    return dapr


# Identities --------------------------------------------------------------------------------------

def identity_doc(current, system_assigned=False, user_assigned=None):
    """The app's `identity` after assigning: each user-assigned identity's own ids, a new principal for a newly
    assigned system identity (azlocal.aca.identities.merge); a user-assigned identity that does not exist is
    refused."""
    from azlocal.aca import identities

    return identities.merge(current, system_assigned, user_assigned)


def is_system(identity):
    return bool(identity) and identity.lower() == "system"


def check_registry_identity(identity, server, username=None, password=None):
    if not identity:
        return
    if username or password:
        raise ValidationError("Cannot provide both registry identity and username/password")
    parts = identity.strip("/").split("/")
    if not is_system(identity) and not (len(parts) == 8 and parts[0].lower() == "subscriptions"):
        raise ValidationError("--registry-identity must be an identity resource ID or 'system'")
    if not (server or "").lower().split(":")[0].endswith((".azurecr.io", ".azurecr.cn", ".azurecr.us")):
        raise ValidationError("--registry-identity: expected an ACR registry (*.azurecr.io / *.azurecr.cn / "
                              "*.azurecr.us) for --registry-server")


# Workload profiles -------------------------------------------------------------------------------

def workload_profile(env_doc, name):
    """The canonical name of one of the environment's workload profiles (None when none was named); see
    azlocal.aca.workload_profiles.resolve."""
    if name is None:
        return None
    from azlocal.aca import workload_profiles

    profile = workload_profiles.resolve(env_doc, name)
    return profile["name"] if profile else None
