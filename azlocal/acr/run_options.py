"""The options of quick runs and tasks that go beyond the step itself: agents, identities, credentials,
log templates, triggers, secret arguments and values.

What is real here: `--no-cache` (the engine builds without its cache), `--secret-arg`/`--set-secret`
(kept in the secret store, shown only with `--with-secure-properties`, never in a log), the base image
trigger's type (Runtime: only the final stage's base image triggers a rebuild; All: every base image).
What cannot be: agent pools and managed identities (refused, naming why); Azure-side log templates,
source-registry auth modes, git triggers and update-trigger notifications (recorded, with a warning).
"""

from knack.log import get_logger

from azlocal.core.errors import AzLocalError
from azlocal.core.parsing import pairs  # noqa: F401 - `name[=value]` entries; a bare name has the value ""
from azlocal.platform import secrets

logger = get_logger(__name__)


def refuse_agent_pool(agent_pool):
    if agent_pool:
        raise AzLocalError(f"Agent pools are not available offline: runs execute on the local Docker Engine, so the "
                           f"agent pool '{agent_pool}' cannot be used. Omit --agent-pool.")


def offline(option, reason):
    logger.warning("%s is recorded; it has no effect offline (%s).", option, reason)


def check_quick_run(agent_pool=None, auth_mode=None, log_template=None, source_acr_auth_id=None):
    """The options of a quick build or run that cannot be (refused) or are only recorded (warned about)."""
    refuse_agent_pool(agent_pool)
    if auth_mode == "None":
        offline("--auth-mode None", "the run always reaches its registry with the registry's credentials")
    if log_template:
        offline("--log-template", "run logs stay on this machine; see az acr task logs")
    if source_acr_auth_id == "none":
        offline("--source-acr-auth-id none", "the run always reaches its registry with the registry's credentials")


# Secret values ----------------------------------------------------------------------------------

def _secret_key(task_id, kind, name):
    registry = task_id.split("/registries/", 1)[1].split("/")[0].lower()
    task = task_id.rsplit("/", 1)[1].lower()
    return f"acr/{registry}/tasks/{task}/{kind}/{name}"


def entries(task_id, kind, plain, secret):
    """Step `arguments`/`values` entries; secret values go to the secret store, the document shows null."""
    out = [{"isSecret": False, "name": k, "value": v} for k, v in pairs(plain)]
    for k, v in pairs(secret):
        secrets.set_secret(_secret_key(task_id, kind, k), v)
        out.append({"isSecret": True, "name": k, "value": None})
    return out


def resolved(task_id, kind, items):
    """The entries with their secret values filled in (for a run, or `show --with-secure-properties`)."""
    return [dict(e, value=secrets.get_secret(_secret_key(task_id, kind, e["name"]))) if e.get("isSecret") else e
            for e in items or []]


def with_secure_properties(task):
    step = dict(task.get("step") or {})
    for kind in ("arguments", "values"):
        if kind in step:
            step[kind] = resolved(task["id"], kind, step[kind])
    return dict(task, step=step)


# Task documents -----------------------------------------------------------------------------------

def apply_task_options(task, creating, agent_pool=None, assign_identity=None, auth_mode=None, log_template=None,
                       source_acr_auth_id=None, is_system_task=None, no_cache=None, commit_trigger=None,
                       pull_request_trigger=None, source_trigger_name=None, base_image_trigger_name=None,
                       base_image_trigger_type=None, update_trigger_endpoint=None, update_trigger_payload_type=None,
                       cpu=None, platform=None):
    refuse_agent_pool(agent_pool)
    if assign_identity is not None:
        from azlocal.acr import task_identity

        task["identity"] = task_identity.build(assign_identity)
        task_identity.warn_no_token()
    if auth_mode:
        task["credentials"] = {"customRegistries": {}, "sourceRegistry": {"identity": None, "loginMode": auth_mode}}
        if auth_mode == "None":
            offline("--auth-mode None", "the task always reaches its registry with the registry's credentials")
    if source_acr_auth_id:
        from azlocal.acr import task_credentials

        task_credentials.set_source_identity(task, source_acr_auth_id, auth_mode)
    if log_template is not None:
        task["logTemplate"] = log_template
        offline("--log-template", "run logs stay on this machine; see az acr task logs")
    if is_system_task:
        task["isSystemTask"] = True
    if no_cache is not None and task["step"] and task["step"]["type"] == "Docker":
        task["step"]["noCache"] = no_cache
    if cpu is not None:
        task["agentConfiguration"] = {"cpu": cpu}
    if platform:
        os_name, _, rest = platform.partition("/")
        arch, _, variant = rest.partition("/")
        task["platform"] = {"architecture": arch or "amd64", "os": os_name.lower(), "variant": variant or None}
    for option, value in (("--commit-trigger-enabled", commit_trigger),
                          ("--pull-request-trigger-enabled", pull_request_trigger)):
        if value:
            offline(option, "source triggers need a git context; this task's context is not a git repository")
    if source_trigger_name not in (None, "defaultSourceTriggerName"):
        offline("--source-trigger-name", "source triggers need a git context; this task's context is not a git "
                "repository")
    trigger = (task.get("trigger") or {}).get("baseImageTrigger")
    if trigger is not None:
        if base_image_trigger_name:
            trigger["name"] = base_image_trigger_name
        if base_image_trigger_type:
            trigger["baseImageTriggerType"] = base_image_trigger_type
        if update_trigger_payload_type:
            trigger["updateTriggerPayloadType"] = update_trigger_payload_type
        if update_trigger_endpoint is not None:
            trigger["updateTriggerEndpoint"] = update_trigger_endpoint
            offline("--update-trigger-endpoint", "base image update notifications are not sent")


def encoded_cmd(cmd, timeout=None):
    """A `--cmd` task's `encodedTaskContent`: the one-step task file az sends, base64-encoded."""
    import base64

    text = f"version: v1.1.0\nsteps: \n  - cmd: {cmd}\n    disableWorkingDirectoryOverride: true\n"
    if timeout:
        text += f"    timeout: {timeout}\n"
    return base64.b64encode(text.encode()).decode()


def mark_dependencies(bases):
    """Azure's dependency types: the last base image is the runtime one, the others are build-time only."""
    return ["RunTime" if i == len(bases) - 1 else "BuildTime" for i in range(len(bases))]


def triggers_on(trigger, dependency):
    """Whether a push of this dependency starts the task, by the base image trigger's type."""
    return trigger.get("baseImageTriggerType") == "All" or dependency.get("type") in ("RunTime", "Runtime")
