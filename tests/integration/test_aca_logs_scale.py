"""Container apps on Docker: system logs (`logs show --type system`, `env logs show`, --follow) in Azure's
event-stream shape, and a KEDA cron scale rule that scales a min-0 app up for its window and back (the daemon's
once-a-minute tick called directly with chosen times). Bad input changes nothing."""

import datetime
import json
import subprocess
import threading
import time

import pytest

from tests.integration import busybox

pytestmark = pytest.mark.integration

G, ENV, APP = "logs-rg", "logs-env", "clock"
KEYS = ["TimeStamp", "Type", "ContainerAppName", "RevisionName", "ReplicaName", "Msg", "Reason", "EventSource",
        "Count"]
CRON = ["--scale-rule-name", "office", "--scale-rule-type", "cron", "--scale-rule-metadata", "timezone=Etc/UTC",
        "start=0 8 * * *", "end=0 18 * * *", "desiredReplicas=2"]
UTC = datetime.timezone.utc


@pytest.fixture
def env(az):
    assert az("group", "create", "-n", G, "-l", "eastus", "-o", "none").code == 0
    r = az("containerapp", "env", "create", "-n", ENV, "-g", G, "--logs-destination", "none")
    assert r.code == 0, r.err
    yield r.json()
    az("group", "delete", "-n", G, "--yes")


def _image(tmp_path):
    return busybox.build(busybox.write_context(tmp_path / "sleeper", ['CMD ["sleep", "3600"]']),
                         "azlocal-test/sleeper:v1")


def _running(home, revision):
    out = subprocess.run(["docker", "ps", "-q", "--filter", f"label=azlocal.home={home.resolve()}", "--filter",
                          f"label=azlocal.aca.revision={revision}"], capture_output=True, text=True).stdout
    return len(out.split())


def _system(az, *extra):
    r = az("containerapp", "logs", "show", "-n", APP, "-g", G, "--type", "system", *extra)
    assert r.code == 0, r.err
    return [json.loads(line) for line in r.out.splitlines()]


def test_system_logs_and_a_cron_rule_on_docker(az, env, home, tmp_path):
    image = _image(tmp_path)
    r = az("containerapp", "create", "-n", APP, "-g", G, "--environment", ENV, "--image", image,
           "--min-replicas", "0", "--max-replicas", "3", *CRON)
    assert r.code == 0, r.err
    [rule] = r.json()["properties"]["template"]["scale"]["rules"]
    assert rule["custom"]["type"] == "cron" and rule["custom"]["metadata"]["desiredReplicas"] == ""  # as az prints
    shown = az("containerapp", "show", "-n", APP, "-g", G).json()["properties"]["template"]["scale"]["rules"]
    assert shown[0]["custom"]["metadata"]["desiredReplicas"] == "2"
    first = r.json()["properties"]["latestRevisionName"]

    # The app's events, as az prints the event stream: the connection events, then the revision's lifecycle.
    events = _system(az, "--tail", "50")
    assert [e["Reason"] for e in events[:2]] == ["StartingGettingEvents", "ConnectedToEventsServer"]
    assert all(list(e) == KEYS for e in events)
    reasons = [e["Reason"] for e in events[2:]]
    for reason in ("RevisionCreation", "AssigningReplica", "PullingImage", "ContainerCreated", "ContainerStarted",
                   "RevisionReady"):
        assert reason in reasons, reasons
    started = next(e for e in events if e["Reason"] == "ContainerStarted")
    assert started["ContainerAppName"] == APP and started["RevisionName"] == first
    assert started["ReplicaName"].startswith(first)
    assert len(_system(az, "--tail", "3")) == 2 + 3

    # An update makes a revision; the old one is deactivated and its replica stopped, all in the log.
    r = az("containerapp", "update", "-n", APP, "-g", G, "--set-env-vars", "MODE=two")
    assert r.code == 0, r.err
    second = r.json()["properties"]["latestRevisionName"]
    reasons = [(e["Reason"], e["RevisionName"]) for e in _system(az, "--tail", "300")]
    assert ("RevisionDeactivated", first) in reasons and ("StoppingContainer", first) in reasons
    assert ("RevisionCreation", second) in reasons

    # The environment's stream: every app's events, compact JSON lines as az prints them.
    r = az("containerapp", "env", "logs", "show", "-n", ENV, "-g", G, "--tail", "4")
    assert r.code == 0, r.err
    lines = r.out.splitlines()
    assert len(lines) == 2 + 4 and lines[-1].startswith('{"TimeStamp":"')

    # Bad input: az's errors, nothing changed.
    for args, message in ((["--format", "text"], "only json logs supported for system logs"),
                          (["--revision", first], "--revision not supported for system logs"),
                          (["--tail", "301"], "--tail must be between 0 and 300.")):
        r = az("containerapp", "logs", "show", "-n", APP, "-g", G, "--type", "system", *args)
        assert r.code == 1 and message in r.err, r
    bad = [a if not a.startswith("timezone=") else "timezone=Mars/Olympus" for a in CRON]
    r = az("containerapp", "update", "-n", APP, "-g", G, "--set-env-vars", "MODE=three", *bad)
    assert r.code == 1 and "unknown timezone 'Mars/Olympus'" in r.err, r
    r = az("containerapp", "revision", "list", "-n", APP, "-g", G, "--all", "--query", "[].name")
    assert sorted(r.json()) == sorted([first, second])
    assert _running(home, second) == 1

    # --follow prints the new events as they come: the cron rule's window opens (tick at 08:00 UTC).
    from azlocal.aca import cron_scaling

    follow = subprocess.Popen(["az", "containerapp", "logs", "show", "-n", APP, "-g", G, "--type", "system",
                               "--tail", "0", "--follow"], stdout=subprocess.PIPE, text=True, env=az.env)
    try:
        seen = []
        reader = threading.Thread(target=lambda: [seen.append(json.loads(line)) for line in follow.stdout])
        reader.start()
        deadline = time.time() + 30
        while time.time() < deadline and len(seen) < 2:
            time.sleep(0.1)
        cron_scaling.tick(datetime.datetime(2026, 1, 5, 8, 0, tzinfo=UTC))
        assert _running(home, second) == 2
        while time.time() < deadline and not any(e["Reason"] == "SuccessfulRescale" for e in seen):
            time.sleep(0.1)
        scaled = next(e for e in seen if e["Reason"] == "SuccessfulRescale")
        assert "from 1 to 2" in scaled["Msg"] and "'office'" in scaled["Msg"] and scaled["EventSource"] == "KEDA"
    finally:
        follow.terminate()
        follow.wait(timeout=10)

    cron_scaling.tick(datetime.datetime(2026, 1, 5, 12, 0, tzinfo=UTC))  # still open: nothing changes
    assert _running(home, second) == 2
    cron_scaling.tick(datetime.datetime(2026, 1, 5, 18, 0, tzinfo=UTC))  # closed: back to min 0
    assert _running(home, second) == 0
    last = _system(az, "--tail", "1")[-1]
    assert last["Reason"] == "KEDAScaleTargetDeactivated" and "from 2 to 0" in last["Msg"]
