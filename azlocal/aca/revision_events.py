"""The system events of an app's revisions and replicas (what `az containerapp logs show --type system` and
`az containerapp env logs show` print): one `system_logs.record` call each, with the reasons and wording of
Azure's ContainerAppController and KEDA events. Every function here is cheap and never raises."""

from azlocal.aca import system_logs

KEDA = "KEDA"


def _app(app_or_id):
    """An app's document from its id (for callers that only have the id); None when it is gone."""
    if isinstance(app_or_id, dict):
        return app_or_id
    try:
        from azlocal.platform.store import store

        return store().get(app_or_id)
    except Exception:
        return None


def _record(app, reason, message, **kw):
    app = _app(app)
    if app is not None:
        system_logs.record(app, reason, message, **kw)


# Revisions ---------------------------------------------------------------------------------------

def revision_creating(app, revision):
    _record(app, "ContainerAppUpdate", f"Updating containerApp: {app['name']}")
    _record(app, "RevisionCreation", f"Creating new revision '{revision}'", revision=revision)


def revision_provisioned(app, revision):
    _record(app, "RevisionReady", f"Successfully provisioned revision '{revision}'", revision=revision)


def revision_failed(app, revision, why):
    _record(app, "RevisionProvisioningError", f"Error provisioning revision '{revision}': {why}",
            revision=revision, kind="Warning")


def traffic_set(app, weights):
    """`weights`: revision name -> percent, as the app's traffic now splits."""
    for revision, weight in weights.items():
        _record(app, "RevisionUpdate", f"Setting traffic weight of '{weight}%' for revision '{revision}'",
                revision=revision)


def revisions_deactivating(app, names):
    if names:
        _record(app, "RevisionDeactivating", f"Deactivating old revisions for ContainerApp '{app['name']}'")
    for name in names:
        _record(app, "RevisionDeactivated", f"Revision '{name}' is deactivated", revision=name)


# Replicas ----------------------------------------------------------------------------------------

def replica_assigned(app, revision, replica):
    _record(app, "AssigningReplica", f"Replica '{replica}' has been scheduled to run on a node.",
            revision=revision, replica=replica)


def container_started(app, revision, replica, container, image, init=False):
    kw = {"revision": revision, "replica": replica}
    _record(app, "PullingImage", f"Pulling image '{image}'", **kw)
    _record(app, "PulledImage", f"Successfully pulled image '{image}'", **kw)
    kind = "init container" if init else "container"
    _record(app, "ContainerCreated", f"Created {kind} '{container}'", **kw)
    _record(app, "ContainerStarted", f"Started {kind} '{container}'", **kw)


def container_terminated(app, revision, replica, container, exit_code, reason="ProcessExited"):
    _record(app, "ContainerTerminated", f"Container '{container}' was terminated with exit code '{exit_code}' and "
            f"reason '{reason}'", revision=revision, replica=replica, kind="Warning" if exit_code else "Normal")


def replicas_stopping(app_id, revision, containers):
    """Before a revision's containers go: a Stopping event for each running one, a Terminated event (with its
    exit code) for each that had already exited."""
    from azlocal.platform.engine import labels

    app = _app(app_id)
    if app is None:
        return
    for c in containers:
        try:
            replica, name = c.labels.get(labels.ACA_REPLICA), c.labels.get(labels.ACA_CONTAINER)
            if name is None:
                continue
            state = c.attrs.get("State") or {}
            if state.get("Status") == "running":
                _record(app, "StoppingContainer", f"Stopping container '{name}'", revision=revision, replica=replica)
            else:
                container_terminated(app, revision, replica, name, state.get("ExitCode", 0))
        except Exception:
            continue


def crash_looping(app, revision, container):
    """A container of the revision keeps exiting: its exit code, as Azure reports a crash loop."""
    from azlocal.platform.engine import labels

    state = container.attrs.get("State") or {}
    replica, name = container.labels.get(labels.ACA_REPLICA), container.labels.get(labels.ACA_CONTAINER)
    container_terminated(app, revision, replica, name, state.get("ExitCode", 1))
    _record(app, "ReplicaUnhealthy", f"Container '{name}' is restarting repeatedly (restart count "
            f"{container.attrs.get('RestartCount', 0)})", revision=revision, replica=replica, kind="Warning")


# Scale decisions ---------------------------------------------------------------------------------

def scaled(app, revision, before, after, why):
    """A scale decision for a revision: from `before` to `after` replicas, and the rule (or reason) behind it."""
    if after == before:
        return
    if before == 0:
        reason, verb = "KEDAScaleTargetActivated", "Scaled"
    elif after == 0:
        reason, verb = "KEDAScaleTargetDeactivated", "Deactivated"
    else:
        reason, verb = "SuccessfulRescale", "Scaled"
    _record(app, reason, f"{verb} revision '{revision}' from {before} to {after} replicas: {why}",
            revision=revision, source=KEDA)


# Configuration -----------------------------------------------------------------------------------

def secrets_changed(app, verb, names):
    """`verb`: "Updated" or "Removed"; the names, never the values."""
    _record(app, "SecretUpdate", f"{verb} secret(s) of containerApp '{app['name']}': {', '.join(names)}. Restart the "
            "revisions for the change to take effect.")
