"""Container-app jobs on the real Docker Engine: executions run real containers and the daemon supervises them
after the CLI has exited (parallelism and completion count, retries, timeout); a Schedule job and an Event
job (cron scale rule) fired by the daemon's timers; job stop; bad input and deletions leave nothing behind."""

import json
import time
from datetime import datetime, timezone

import pytest

from tests.integration import busybox

pytestmark = pytest.mark.integration


@pytest.fixture
def env(az, tmp_path):
    """A group, an environment and an image whose command is the JOB_SCRIPT environment variable."""
    ctx = busybox.write_context(tmp_path / "jobbox", ['CMD ["sh", "-c", "eval \\"$JOB_SCRIPT\\""]'])
    image = busybox.build(ctx, "azlocal-test/jobbox:v1")
    for _ in busybox.resource_group(az, "jobs-rg"):
        r = az("containerapp", "env", "create", "-n", "jobs-env", "-g", "jobs-rg", "-l", "eastus", "-o", "none")
        assert r.code == 0, r.err
        yield image


def _create(az, name, image, script, *extra, env_vars=()):
    r = az("containerapp", "job", "create", "-n", name, "-g", "jobs-rg", "--environment", "jobs-env", "--image", image,
           "--cpu", "0.25", "--memory", "0.5Gi", "--env-vars", f"JOB_SCRIPT={script}", *env_vars, *extra)
    assert r.code == 0, r.err
    return r.json()


def _start(az, name):
    r = az("containerapp", "job", "start", "-n", name, "-g", "jobs-rg")
    assert r.code == 0, r.err
    return r.json()["name"]


def _stored(job, execution):
    """The execution's row as the daemon left it (reading it through az would advance it here)."""
    from azlocal.platform.store import store

    return store().get(f"{job['id']}/executions/{execution}")["properties"]


def _wait_ended(job, execution, timeout=90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        props = _stored(job, execution)
        if props["status"] != "Running":
            return props
        time.sleep(0.5)
    raise AssertionError(f"{execution} still running")


def _events(az, execution):
    r = az("containerapp", "env", "logs", "show", "-n", "jobs-env", "-g", "jobs-rg", "--tail", "300")
    assert r.code == 0, r.err
    return [line for line in r.out.splitlines() if execution in line]


def _containers(job_id=None, execution=None):
    from azlocal.platform.engine import objects

    wanted = {"azlocal.aca.job-execution": execution} if execution else {}
    return objects.containers(all=True, resource_id=job_id, **wanted)


def test_the_daemon_runs_executions_to_success_failure_and_timeout(az, env):
    ok = _create(az, "ok", env, 'test "$TOKEN" = s3cret && sleep 1', "--trigger-type", "Manual",
                 "--replica-timeout", "60", "--replica-retry-limit", "0", "--parallelism", "2", "--rcc", "3",
                 "--secrets", "token=s3cret", env_vars=["TOKEN=secretref:token"])
    flaky = _create(az, "flaky", env, "exit 3", "--trigger-type", "Manual", "--replica-timeout", "60",
                    "--replica-retry-limit", "1")
    slow = _create(az, "slow", env, "sleep 300", "--trigger-type", "Manual", "--replica-timeout", "3",
                   "--replica-retry-limit", "0")
    runs = {"ok": _start(az, "ok"), "flaky": _start(az, "flaky"), "slow": _start(az, "slow")}
    assert runs["ok"].startswith("ok-") and len(runs["ok"]) == len("ok-") + 7

    done = _wait_ended(ok, runs["ok"])  # nothing here advances it: the daemon does
    assert done["status"] == "Succeeded" and done["endTime"] >= done["startTime"]
    reasons = [json.loads(e)["Reason"] for e in _events(az, runs["ok"])]
    # two replicas at once (parallelism 2), then a third once one has succeeded (completion count 3)
    assert reasons[:3] == ["ExecutionStarted", "SuccessfulCreate", "SuccessfulCreate"]
    third = [i for i, reason in enumerate(reasons) if reason == "SuccessfulCreate"][2]
    assert reasons.count("SuccessfulCreate") == 3 and reasons.index("Completed") < third
    assert _wait_ended(flaky, runs["flaky"])["status"] == "Failed"
    flaky_events = _events(az, runs["flaky"])
    assert sum('"Reason":"ReplicaFailed"' in e and "exit code 3" in e for e in flaky_events) == 2
    assert any('"Reason":"BackoffLimitExceeded"' in e for e in flaky_events)
    assert _wait_ended(slow, runs["slow"])["status"] == "Failed"
    assert any('"Reason":"DeadlineExceeded"' in e for e in _events(az, runs["slow"]))
    assert _containers(slow["id"]) == [] and _containers(ok["id"]) == []

    r = az("containerapp", "job", "execution", "list", "-n", "ok", "-g", "jobs-rg", "-o", "table")
    assert r.code == 0 and runs["ok"] in r.out and "Succeeded" in r.out


def test_a_schedule_fires_stop_stops_and_bad_input_changes_nothing(az, env):
    from azlocal.aca import job_timers

    sched = _create(az, "tick", env, "sleep 300", "--trigger-type", "Schedule", "--cron-expression", "*/1 * * * *",
                    "--replica-timeout", "600", "--replica-retry-limit", "0")
    job_timers.fire_schedules(datetime.now(timezone.utc))  # what the daemon's minute timer calls
    r = az("containerapp", "job", "execution", "list", "-n", "tick", "-g", "jobs-rg")
    assert r.code == 0, r.err
    [execution] = r.json()
    assert execution["properties"]["status"] == "Running" and execution["name"].startswith("tick-")
    [container] = _containers(sched["id"])
    assert container.status == "running" and container.labels["azlocal.group"] == "jobs-rg"

    r = az("containerapp", "job", "stop", "-n", "tick", "-g", "jobs-rg")
    assert r.code == 0, r.err
    assert [e["name"] for e in r.json()["value"]] == [execution["name"]]
    assert _stored(sched, execution["name"])["status"] == "Stopped" and _containers(sched["id"]) == []

    # An Event job whose cron rule's window is open (from every minute's start to 1 January's end) asks for
    # desiredReplicas executions at its polling interval: the daemon's 5-second poll, called here.
    event = _create(az, "burst", env, "sleep 300", "--trigger-type", "Event", "--replica-timeout", "600",
                    "--replica-retry-limit", "0", "--max-executions", "2", "--scale-rule-name", "window",
                    "--scale-rule-type", "cron", "--scale-rule-metadata", "timezone=UTC", "start=* * * * *",
                    "end=0 0 1 1 *", "desiredReplicas=2")
    job_timers.poll_events()
    r = az("containerapp", "job", "execution", "list", "-n", "burst", "-g", "jobs-rg")
    assert [e["properties"]["status"] for e in r.json()] == ["Running", "Running"]
    assert len(_containers(event["id"])) == 2

    r = az("containerapp", "job", "create", "-n", "bad", "-g", "jobs-rg", "--environment", "jobs-env", "--image", env,
           "--trigger-type", "Schedule", "--cron-expression", "99 * * * *", "--replica-timeout", "5",
           "--replica-retry-limit", "0")
    assert r.code == 1 and "(InvalidCronExpression)" in r.err
    assert az("containerapp", "job", "show", "-n", "bad", "-g", "jobs-rg").code == 3
    r = az("containerapp", "job", "start", "-n", "nope", "-g", "jobs-rg")
    assert r.code == 3 and r.err.startswith("ERROR: ")
    r = az("containerapp", "job", "execution", "show", "-n", "tick", "-g", "jobs-rg", "--job-execution-name", "x")
    assert r.code == 3

    _start(az, "tick")  # running executions go with their group
    assert _containers(sched["id"])
    assert az("group", "delete", "-n", "jobs-rg", "--yes").code == 0
    assert _containers(sched["id"]) == [] and _containers(event["id"]) == []
