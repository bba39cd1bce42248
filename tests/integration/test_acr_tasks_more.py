"""ACR tasks, complete (issue 12, item 5): a timer fires a real run that names it; a task's registry credential
lets its runs pull from and push to a second local registry that requires its admin user; bad input changes
nothing; agent pools are refused."""

import random
import subprocess
import time

import pytest

from tests.integration import busybox

pytestmark = pytest.mark.integration


@pytest.fixture
def registries(az):
    suffix = random.randint(10000, 99999)
    main, other = f"azltm{suffix}", f"azlto{suffix}"
    assert az("group", "create", "-n", "tm-rg", "-l", "eastus", "-o", "none").code == 0
    assert az("acr", "create", "-n", main, "-g", "tm-rg", "--sku", "Standard", "-o", "none").code == 0
    r = az("acr", "create", "-n", other, "-g", "tm-rg", "--sku", "Basic", "--admin-enabled", "true", "-o", "none")
    assert r.code == 0, r.err
    yield main, other
    az("group", "delete", "-n", "tm-rg", "--yes")


def _build(az, registry, ctx, tag, lines=()):
    busybox.write_context(ctx, list(lines))
    r = subprocess.run(["az", "acr", "build", "-r", registry, "-t", tag, "--no-logs", "."], cwd=ctx, env=az.env,
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr


def test_timer_fires_a_run_that_names_it(az, registries, tmp_path):
    main, _ = registries
    _build(az, main, tmp_path / "base", "base/bb:v1")
    r = az("acr", "task", "create", "-r", main, "-n", "ticker", "--cmd", "$Registry/base/bb:v1 echo tick",
           "-c", "/dev/null")
    assert r.code == 0, r.err
    assert r.json()["trigger"]["baseImageTrigger"]["status"] == "Enabled"  # as az gives a --cmd task
    task = az("acr", "task", "timer", "add", "-r", main, "-n", "ticker", "--timer-name", "everyminute",
              "--schedule", "* * * * *")
    assert task.code == 0, task.err
    assert task.json()["trigger"]["timerTriggers"] == [{"name": "everyminute", "schedule": "* * * * *",
                                                        "status": "Enabled"}]
    deadline = time.time() + 75
    fired = []
    while time.time() < deadline and not fired:
        time.sleep(2)
        fired = [x for x in az("acr", "task", "list-runs", "-r", main, "-n", "ticker").json()
                 if x.get("timerTrigger") and x["status"] == "Succeeded"]
    assert fired, "the timer did not fire within 75 s"
    run = fired[-1]
    assert run["timerTrigger"]["timerTriggerName"] == "everyminute"
    assert run["timerTrigger"]["scheduleOccurrence"].endswith(":00+00:00")
    assert run["runType"] == "AutoRun" and run["task"] == "ticker"
    assert "tick" in az("acr", "task", "logs", "-r", main, "--run-id", run["runId"]).out
    assert "Timer" in az("acr", "task", "list-runs", "-r", main, "-o", "table").out
    # disabled: it fires no more
    assert az("acr", "task", "timer", "update", "-r", main, "-n", "ticker", "--timer-name", "everyminute",
              "--enabled", "false", "-o", "none").code == 0
    r = az("acr", "task", "timer", "add", "-r", main, "-n", "ticker", "--timer-name", "bad", "--schedule", "* * *")
    assert r.code == 1 and "not a valid cron expression" in r.err
    assert [t["name"] for t in az("acr", "task", "timer", "list", "-r", main, "-n", "ticker").json()] == \
        ["everyminute"]
    r = az("acr", "agentpool", "create", "-r", main, "-n", "pool1")
    assert r.code == 1 and "local Docker Engine" in r.err
    assert az("acr", "agentpool", "list", "-r", main).json() == []


def test_task_credential_lets_runs_pull_from_and_push_to_another_registry(az, registries, tmp_path):
    main, other = registries
    other_server = f"{other}.azurecr.io"
    _build(az, other, tmp_path / "base", "base/bb:v1", ['RUN echo from-other > /marker'])
    app = tmp_path / "app"
    app.mkdir()
    (app / "Dockerfile").write_text(f"FROM {other_server}/base/bb:v1\nCMD [\"cat\", \"/marker\"]\n")
    r = az("acr", "task", "create", "-r", main, "-n", "crossreg", "-c", str(app), "-f", "Dockerfile",
           "-t", f"{other_server}/app:{{{{.Run.ID}}}}", "-o", "none")
    assert r.code == 0, r.err
    # without a credential the run cannot pull the base image from the other registry
    r = az("acr", "task", "run", "-r", main, "-n", "crossreg")
    assert r.code == 1 and "Run failed" in r.err and f"{other_server}/base/bb:v1" in r.out
    assert f"Logging in to registry: {other_server}" not in r.out
    creds = az("acr", "credential", "show", "-n", other).json()
    password = creds["passwords"][0]["value"]
    r = az("acr", "task", "credential", "add", "-r", main, "-n", "crossreg", "--login-server", other_server,
           "-u", creds["username"], "-p", password)
    assert r.code == 0, r.err
    assert password not in r.out and password not in az("acr", "task", "show", "-r", main, "-n", "crossreg").out
    run = az("acr", "task", "run", "-r", main, "-n", "crossreg")
    assert run.code == 0, run.err + run.out
    assert f"Successfully logged into {other_server}" in run.out
    latest = az("acr", "task", "list-runs", "-r", main, "-n", "crossreg", "--top", "1").json()[0]
    assert latest["status"] == "Succeeded" and latest["customRegistries"] == [other_server]
    assert az("acr", "repository", "show-tags", "-n", other, "--repository", "app").json() == [latest["runId"]]
    # bad input: az's error and nothing changed
    r = az("acr", "task", "credential", "add", "-r", main, "-n", "crossreg", "--login-server", other_server,
           "-u", "x", "-p", "y")
    assert r.code == 1 and f"Login server '{other_server}' already exists" in r.err
    # a wrong password: the run's login fails, as ACR's does
    assert az("acr", "task", "credential", "update", "-r", main, "-n", "crossreg", "--login-server", other_server,
              "-u", creds["username"], "-p", "wrong-password", "-o", "none").code == 0
    r = az("acr", "task", "run", "-r", main, "-n", "crossreg")
    assert r.code == 1 and f"failed to login to registry {other_server}" in r.out
    assert az("acr", "task", "credential", "remove", "-r", main, "-n", "crossreg", "--login-server", other_server,
              ).json() == {}
