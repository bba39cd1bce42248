"""Liveness (and readiness) probes of container groups: Docker healthchecks, and what the daemon does
when one fails."""

from azlocal.platform.engine import labels, objects
from azlocal.platform.store import store


def healthcheck(probe):
    """A liveness probe as a Docker healthcheck; the daemon restarts containers it finds unhealthy."""
    if not probe:
        return None
    probe = {k.lower(): v for k, v in probe.items()}
    if probe.get("exec"):
        command = {k.lower(): v for k, v in probe["exec"].items()}.get("command") or []
        test = ["CMD"] + [str(x) for x in command]
    elif probe.get("httpget"):
        get = {k.lower(): v for k, v in probe["httpget"].items()}
        test = ["CMD", "wget", "-q", "-O", "/dev/null", f"http://localhost:{get.get('port', 80)}{get.get('path', '/')}"]
    else:
        return None
    second = 1_000_000_000
    return {"test": test, "interval": int(probe.get("periodseconds", 10)) * second,
            "timeout": int(probe.get("timeoutseconds", 1)) * second, "retries": int(probe.get("failurethreshold", 3)),
            "start_period": int(probe.get("initialdelayseconds", 0)) * second}


def restart_unhealthy():
    """Liveness: restart every container of this home whose probe has failed (called by the daemon), or
    stop it under the Never policy, as ACI does. Docker does not count these restarts: the store does."""
    restarted = []
    s = store()
    for container in objects.containers(health="unhealthy", **{labels.ACI_ROLE: "app"}):
        if container.attrs["HostConfig"]["RestartPolicy"]["Name"] in ("", "no"):
            container.stop(timeout=5)
        else:
            container.restart(timeout=5)
        with s.transaction():
            key = f"aci-probe-restarts/{container.id}"
            s.set_value(key, s.get_value(key, 0) + 1)
        restarted.append(container.name)
    return restarted


