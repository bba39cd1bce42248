"""az acr task: saved tasks, runs and their logs, base-image triggers, timers, cancel and timeouts."""

import random
import subprocess
import time
from datetime import datetime, timezone

import pytest

from tests.integration import busybox

pytestmark = pytest.mark.integration


@pytest.fixture
def registry(az):
    name = f"azltr{random.randint(10000, 99999)}"
    assert az("group", "create", "-n", "tr-rg", "-l", "eastus", "-o", "none").code == 0
    assert az("acr", "create", "-n", name, "-g", "tr-rg", "--sku", "Standard", "-o", "none").code == 0
    yield name
    az("group", "delete", "-n", "tr-rg", "--yes")


def _build_base(az, registry, ctx, marker):
    busybox.write_context(ctx, [f"RUN echo {marker} > /marker"])
    r = subprocess.run(["az", "acr", "build", "-r", registry, "-t", "base/bb:v1", "--no-logs", "."], cwd=ctx,
                       env=az.env, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr


def _leftovers(home):
    return subprocess.run(["docker", "ps", "-aq", "--filter", f"label=azlocal.home={home.resolve()}"],
                          capture_output=True, text=True).stdout.split()


def test_build_task_runs_logs_and_base_image_trigger(az, registry, tmp_path):
    _build_base(az, registry, tmp_path / "base", "one")
    app = tmp_path / "app"
    app.mkdir()
    (app / "Dockerfile").write_text(f"FROM {registry}.azurecr.io/base/bb:v1\nCMD [\"cat\", \"/marker\"]\n")
    r = az("acr", "task", "create", "-r", registry, "-n", "buildapp", "-c", str(app), "-f", "Dockerfile",
           "-t", "app:{{.Run.ID}}")
    assert r.code == 0, r.err
    task = r.json()
    assert task["step"]["type"] == "Docker"
    assert task["trigger"]["baseImageTrigger"]["status"] == "Enabled"
    assert task["step"]["baseImageDependencies"][0]["repository"] == "base/bb"
    run = az("acr", "task", "run", "-r", registry, "-n", "buildapp")
    assert run.code == 0, run.err
    assert "was successful" in run.out
    runs = az("acr", "task", "list-runs", "-r", registry, "-n", "buildapp").json()
    assert len(runs) == 1 and runs[0]["task"] == "buildapp" and runs[0]["status"] == "Succeeded"
    run_id = runs[0]["runId"]
    assert az("acr", "task", "show-run", "-r", registry, "--run-id", run_id, "--query", "status",
              "-o", "tsv").out.strip() == "Succeeded"
    replay = az("acr", "task", "logs", "-r", registry, "--run-id", run_id)
    assert "was successful" in replay.out
    tags = az("acr", "repository", "show-tags", "-n", registry, "--repository", "app").json()
    assert tags == [run_id]
    # pushing the base image again runs the task again, by itself
    _build_base(az, registry, tmp_path / "base2", "two")
    deadline = time.time() + 60
    triggered = []
    while time.time() < deadline and not triggered:
        time.sleep(1)
        triggered = [x for x in az("acr", "task", "list-runs", "-r", registry, "-n", "buildapp").json()
                     if x.get("imageUpdateTrigger") and x["status"] == "Succeeded"]
    assert triggered, "the base image push did not trigger the task"
    table = az("acr", "task", "list-runs", "-r", registry, "-o", "table").out
    assert "Image Update" in table


def test_cmd_task_with_timer_schedule(az, registry, home):
    r = az("acr", "task", "create", "-r", registry, "-n", "hourly", "--cmd", "$Registry/base/bb:v1", "-c",
           "/dev/null", "--schedule", "0 * * * *")
    assert r.code == 0, r.err
    assert r.json()["trigger"]["timerTriggers"] == [{"name": "t1", "schedule": "0 * * * *", "status": "Enabled"}]
    from azlocal.acr import tasks

    due = tasks.due_timers(datetime(2026, 1, 1, 10, 0, tzinfo=timezone.utc))
    assert [name for _, name in due] == ["hourly"]
    assert tasks.due_timers(datetime(2026, 1, 1, 10, 1, tzinfo=timezone.utc)) == []
    r = az("acr", "task", "create", "-r", registry, "-n", "badtimer", "--cmd", "x", "-c", "/dev/null",
           "--schedule", "61 * * * *")
    assert r.code == 1 and "cron" in r.err
    r = az("acr", "task", "create", "-r", registry, "-n", "gittask", "-c", "https://github.com/x/y.git", "-t", "a:b")
    assert r.code == 1 and "has no local clone" in r.err and "azlocal git add" in r.err
    assert [t["name"] for t in az("acr", "task", "list", "-r", registry).json()] == ["hourly"]


def test_cancel_and_timeout_leave_nothing_running(az, registry, tmp_path, home):
    _build_base(az, registry, tmp_path / "base", "x")
    assert az("acr", "task", "create", "-r", registry, "-n", "sleeper", "--cmd", "$Registry/base/bb:v1 sleep 60",
              "-c", "/dev/null", "-o", "none").code == 0
    proc = subprocess.Popen(["az", "acr", "task", "run", "-r", registry, "-n", "sleeper"], env=az.env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 30
    running = []
    while time.time() < deadline and not running:
        time.sleep(0.5)
        running = [x for x in az("acr", "task", "list-runs", "-r", registry, "-n", "sleeper").json()
                   if x["status"] == "Running"]
    assert running
    time.sleep(2)
    assert az("acr", "task", "cancel-run", "-r", registry, "--run-id", running[0]["runId"]).code == 0
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 1 and "Run was canceled" in err
    assert az("acr", "task", "show-run", "-r", registry, "--run-id", running[0]["runId"], "--query", "status",
              "-o", "tsv").out.strip() == "Canceled"
    r = az("acr", "run", "-r", registry, "--cmd", "$Registry/base/bb:v1 sleep 30", "--timeout", "2", "/dev/null")
    assert r.code == 1 and "Run timed out" in r.err
    assert _leftovers(home) == []
