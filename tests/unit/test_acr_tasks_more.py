"""Issue 12, item 5 (and item 9's taskrun and agentpool): task timers, credentials, identities, update-run,
list-runs filters, taskrun and agentpool — through the real CLI in-process, the daemon left out (publishing
is faked); cron expressions and timer firing as pure functions."""

from datetime import datetime, timezone

import pytest

from azlocal.acr.cron import check_cron, cron_matches
from azlocal.core.errors import ValidationError


@pytest.fixture
def acr(cli, monkeypatch):
    from azlocal.acr import registries
    from azlocal.platform import lifecycle

    monkeypatch.setattr(registries, "_publish", lambda doc, before=None: None)
    monkeypatch.setattr(lifecycle, "ensure_running", lambda *a, **k: None)  # no daemon: timers fire by hand
    assert cli("group", "create", "-n", "rg", "-l", "eastus").code == 0
    assert cli("acr", "create", "-n", "myreg1", "-g", "rg", "--sku", "Standard").code == 0
    r = cli("acr", "task", "create", "-r", "myreg1", "-n", "timertask", "--cmd", "mcr.microsoft.com/hello-world",
            "--schedule", "0 21 * * *", "-c", "/dev/null")
    assert r.code == 0, r.err
    return cli


def _ok(r):
    assert r.code == 0, r.err
    assert "Traceback" not in r.err
    return r.json() if r.out.strip() else None


def _task(acr):
    return _ok(acr("acr", "task", "show", "-r", "myreg1", "-n", "timertask"))


@pytest.mark.parametrize("expression, when, expected", [
    ("0 12 * * Mon-Fri", datetime(2026, 12, 4, 12, 0), True),    # a Friday
    ("0 12 * * Mon-Fri", datetime(2026, 12, 5, 12, 0), False),   # a Saturday
    ("30 9 * Jan Mon", datetime(2024, 1, 1, 9, 30), True),
    ("30 9 * Jan Mon", datetime(2024, 2, 5, 9, 30), False),
    ("5/20 * * * *", datetime(2026, 1, 1, 0, 45), True),
    ("5/20 * * * *", datetime(2026, 1, 1, 0, 40), False),
    ("*/10 1-3 * * *", datetime(2026, 1, 1, 2, 30), True),
])
def test_cron_names_ranges_and_steps(expression, when, expected):
    check_cron(expression)
    assert cron_matches(expression, when) is expected


@pytest.mark.parametrize("expression", ["5-1 * * * *", "* * * * Foo", "* * * *", "*/0 * * * *", "60 * * * *",
                                        "* * 0 * *", "* * * 13 *"])
def test_bad_cron_is_refused(expression):
    with pytest.raises(ValidationError):
        check_cron(expression)


def test_cmd_task_gets_base_image_and_timer_triggers_as_the_docs_show(acr):
    task = _task(acr)
    assert task["trigger"]["baseImageTrigger"]["status"] == "Enabled"
    assert task["trigger"]["timerTriggers"] == [{"name": "t1", "schedule": "0 21 * * *", "status": "Enabled"}]
    table = acr("acr", "task", "show", "-r", "myreg1", "-n", "timertask", "-o", "table").out
    assert "BASE_IMAGE, TIMER" in table
    r = _ok(acr("acr", "task", "create", "-r", "myreg1", "-n", "nobase", "--cmd", "x", "-c", "/dev/null",
                "--base-image-trigger-enabled", "false"))
    assert r["trigger"]["baseImageTrigger"] is None
    r = _ok(acr("acr", "task", "update", "-r", "myreg1", "-n", "nobase", "--base-image-trigger-enabled", "true"))
    assert r["trigger"]["baseImageTrigger"]["name"] == "defaultBaseimageTriggerName"


def test_timer_add_update_list_remove(acr):
    base = ["-r", "myreg1", "-n", "timertask"]
    task = _ok(acr("acr", "task", "timer", "add", *base, "--timer-name", "timer2", "--schedule", "30 10 * * *"))
    assert [t["name"] for t in task["trigger"]["timerTriggers"]] == ["timer2", "t1"]
    _ok(acr("acr", "task", "timer", "update", *base, "--timer-name", "timer2", "--schedule", "30 11 * * *"))
    timers = _ok(acr("acr", "task", "timer", "list", *base))
    assert timers == [{"name": "timer2", "schedule": "30 11 * * *", "status": "Enabled"},
                      {"name": "t1", "schedule": "0 21 * * *", "status": "Enabled"}]
    _ok(acr("acr", "task", "timer", "update", *base, "--timer-name", "timer2", "--enabled", "false"))
    assert _ok(acr("acr", "task", "timer", "list", *base))[0]["status"] == "Disabled"
    # bad input: az's error, exit 1, nothing changed
    before = _task(acr)
    r = acr("acr", "task", "timer", "add", *base, "--timer-name", "bad", "--schedule", "61 * * * *")
    assert r.code == 1 and "not a valid cron expression" in r.err
    r = acr("acr", "task", "timer", "update", *base, "--timer-name", "nosuch", "--schedule", "1 * * * *")
    assert r.code == 1 and "The timer 'nosuch' does not exist for the task 'timertask'." in r.err
    r = acr("acr", "task", "timer", "remove", *base, "--timer-name", "nosuch")
    assert r.code == 1 and "The timer 'nosuch' does not exist for the task 'timertask'." in r.err
    r = acr("acr", "task", "timer", "add", *base, "--timer-name", "x")
    assert r.code == 2 and "--schedule" in r.err
    assert _task(acr) == before
    _ok(acr("acr", "task", "timer", "remove", *base, "--timer-name", "timer2"))
    _ok(acr("acr", "task", "timer", "remove", *base, "--timer-name", "t1"))
    r = acr("acr", "task", "timer", "remove", *base, "--timer-name", "t1")
    assert r.code == 1 and "No timer triggers exist for the task 'timertask'." in r.err
    r = acr("acr", "task", "timer", "list", "-r", "myreg1", "-n", "nosuchtask")
    assert r.code == 3


def test_timers_fire_once_a_minute_with_their_own_name(acr, monkeypatch):
    from azlocal.acr import task_timers, tasks

    base = ["-r", "myreg1", "-n", "timertask"]
    _ok(acr("acr", "task", "timer", "add", *base, "--timer-name", "nightly", "--schedule", "0 21 * * Mon-Fri"))
    _ok(acr("acr", "task", "timer", "add", *base, "--timer-name", "off", "--schedule", "0 21 * * *",
            "--enabled", "false"))
    spawned = []
    monkeypatch.setattr(tasks, "spawn_run", lambda doc, name, trigger, env: spawned.append((name, trigger, env)))
    friday = datetime(2026, 12, 4, 21, 0, 30, tzinfo=timezone.utc)
    assert tasks.fire_timers(friday) == [("timertask", "nightly"), ("timertask", "t1")]
    assert spawned[0] == ("timertask", "Timer", {task_timers.TIMER_ENV: "nightly",
                                                 task_timers.OCCURRENCE_ENV: "2026-12-04T21:00:00+00:00"})
    assert tasks.fire_timers(friday.replace(second=50)) == []  # the same minute fires once
    assert tasks.fire_timers(datetime(2026, 12, 5, 21, 0, tzinfo=timezone.utc)) == [("timertask", "t1")]
    monkeypatch.setenv(task_timers.TIMER_ENV, "nightly")
    monkeypatch.setenv(task_timers.OCCURRENCE_ENV, "2026-12-04T21:00:00+00:00")
    assert task_timers.run_trigger("Timer") == {"scheduleOccurrence": "2026-12-04T21:00:00+00:00",
                                                "timerTriggerName": "nightly"}
    assert task_timers.run_trigger(None) is None


def test_credentials_are_masked_and_their_secrets_kept_apart(acr):
    base = ["-r", "myreg1", "-n", "timertask"]
    creds = _ok(acr("acr", "task", "credential", "add", *base, "--login-server", "other.azurecr.io", "-u", "other",
                    "-p", "s3cret-pass"))
    masked = {"type": "Opaque", "value": None}
    assert creds == {"other.azurecr.io": {"identity": None, "password": masked, "userName": masked}}
    shown = acr("acr", "task", "show", *base)
    assert "s3cret-pass" not in shown.out and shown.json()["credentials"]["customRegistries"] == creds
    secure = _ok(acr("acr", "task", "show", *base, "--with-secure-properties"))
    assert secure["credentials"]["customRegistries"]["other.azurecr.io"]["password"]["value"] == "s3cret-pass"
    from azlocal.platform.store import store

    assert "s3cret-pass" not in str(store().list(type="Microsoft.ContainerRegistry/registries/tasks"))
    r = acr("acr", "task", "credential", "add", *base, "--login-server", "other.azurecr.io", "-u", "a", "-p", "b")
    assert r.code == 1 and "Login server 'other.azurecr.io' already exists. You cannot add it again." in r.err
    r = acr("acr", "task", "credential", "update", *base, "--login-server", "nosuch.azurecr.io", "-u", "a", "-p", "b")
    assert r.code == 1 and "Login server 'nosuch.azurecr.io' not found." in r.err
    r = acr("acr", "task", "credential", "add", *base, "--login-server", "kv.azurecr.io", "-u", "a", "-p",
            "https://mykv.vault.azure.net/secrets/pw")
    assert r.code == 1 and "Key Vault" in r.err
    r = acr("acr", "task", "credential", "add", *base, "--login-server", "bad server", "-u", "a", "-p", "b")
    assert r.code == 1
    r = acr("acr", "task", "credential", "add", *base, "--login-server", "half.azurecr.io", "-u", "a")
    assert r.code == 1 and "--password" in r.err
    assert _ok(acr("acr", "task", "credential", "list", *base)) == creds  # nothing changed
    r = acr("acr", "task", "credential", "add", *base, "--login-server", "mi.azurecr.io", "--use-identity", "[system]")
    assert r.code == 0 and "not available offline" not in r.err  # runs log in as the identity
    assert r.json()["mi.azurecr.io"] == {"identity": "[system]", "password": None, "userName": None}
    left = _ok(acr("acr", "task", "credential", "remove", *base, "--login-server", "other.azurecr.io"))
    assert list(left) == ["mi.azurecr.io"]
    from azlocal.platform import secrets

    _ok(acr("acr", "task", "credential", "add", *base, "--login-server", "third.azurecr.io", "-u", "u", "-p", "p3"))
    assert any("/tasks/timertask/credentials/" in k for k in secrets.list_keys("acr/myreg1/"))
    assert acr("acr", "task", "delete", *base, "--yes").code == 0
    assert not [k for k in secrets.list_keys("acr/myreg1/") if "/tasks/timertask/" in k]


def test_identity_assign_show_remove_is_recorded_with_a_warning(acr):
    base = ["-r", "myreg1", "-n", "timertask"]
    assert _ok(acr("acr", "task", "identity", "show", *base)) == {}
    r = acr("acr", "task", "identity", "assign", *base)
    assert r.code == 0 and "no token is issued" in r.err
    identity = r.json()["identity"]
    assert identity["type"] == "SystemAssigned" and len(identity["principalId"]) == 36
    assert identity["tenantId"] == _ok(acr("account", "show"))["tenantId"]
    uid = "/subscriptions/0/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/myid"
    r = acr("acr", "task", "identity", "assign", *base, "--identities", uid)
    assert r.code == 1 and "FailedIdentityOperation" in r.err  # no such identity: refused, nothing changes
    assert _ok(acr("acr", "task", "identity", "show", *base))["type"] == "SystemAssigned"
    myid = _ok(acr("identity", "create", "-n", "myid", "-g", "rg"))
    uid = myid["id"]
    identity = _ok(acr("acr", "task", "identity", "assign", *base, "--identities", uid))["identity"]
    assert identity["type"] == "SystemAssigned, UserAssigned"
    assert identity["userAssignedIdentities"][uid] == {"clientId": myid["clientId"], "principalId": myid["principalId"]}
    r = acr("acr", "task", "identity", "assign", *base, "--identities", "not-an-id")
    assert r.code == 1
    r = acr("acr", "task", "identity", "remove", *base, "--identities", "[all]", uid)
    assert r.code == 1 and "Cannot specify additional identities when [all] is used" in r.err
    identity = _ok(acr("acr", "task", "identity", "remove", *base))["identity"]
    assert identity["type"] == "UserAssigned" and identity["principalId"] is None
    assert _ok(acr("acr", "task", "identity", "remove", *base, "--identities", "[all]"))["identity"] is None


def test_taskruns_and_agentpools(acr):
    assert _ok(acr("acr", "taskrun", "list", "-r", "myreg1")) == []
    for verb in ("show", "logs"):
        r = acr("acr", "taskrun", verb, "-r", "myreg1", "-n", "tr1")
        assert r.code == 3 and "registries/taskRuns/myreg1/tr1' under resource group 'rg' was not found" in r.err
    assert acr("acr", "taskrun", "delete", "-r", "myreg1", "-n", "tr1", "--yes").code == 3
    r = acr("acr", "agentpool", "create", "-r", "myreg1", "-n", "pool1", "--tier", "S2")
    assert r.code == 1 and "local Docker Engine" in r.err
    assert _ok(acr("acr", "agentpool", "list", "-r", "myreg1")) == []
    for args in (("show",), ("update", "--count", "2"), ("delete", "--yes")):
        r = acr("acr", "agentpool", *args, "-r", "myreg1", "-n", "pool1")
        assert r.code == 3 and "registries/agentPools/myreg1/pool1'" in r.err
    assert acr("acr", "agentpool", "list", "-r", "nosuchreg").code == 1  # az finds no registry: exit 1


def test_update_run_and_list_runs_filters(acr):
    from azlocal.acr import registries
    from azlocal.platform.store import store

    doc = registries.get("myreg1")
    for n, (status, digest) in enumerate((("Succeeded", "sha256:aa"), ("Failed", None), ("Succeeded", "sha256:bb"))):
        store().put({"id": f"{doc['id']}/runs/ca{n + 1}", "type": "Microsoft.ContainerRegistry/registries/runs",
                     "runId": f"ca{n + 1}", "name": f"ca{n + 1}", "status": status, "task": "timertask" if n else None,
                     "createTime": f"2026-01-01T00:00:0{n}+00:00", "isArchiveEnabled": False,
                     "outputImages": [{"repository": "app", "tag": "v1", "digest": digest}] if digest else None})
    base = ["acr", "task", "list-runs", "-r", "myreg1"]
    assert [r["runId"] for r in _ok(acr(*base))] == ["ca3", "ca2", "ca1"]
    assert [r["runId"] for r in _ok(acr(*base, "--run-status", "Failed"))] == ["ca2"]
    assert [r["runId"] for r in _ok(acr(*base, "-n", "timertask", "--top", "1"))] == ["ca3"]
    assert [r["runId"] for r in _ok(acr(*base, "--image", "app@sha256:aa"))] == ["ca1"]
    r = acr(*base, "--run-status", "Nope")
    assert r.code == 2
    run = _ok(acr("acr", "task", "update-run", "-r", "myreg1", "--run-id", "ca1", "--no-archive", "false"))
    assert run["isArchiveEnabled"] is True
    r = acr("acr", "task", "update-run", "-r", "myreg1", "--run-id", "ca9", "--no-archive")
    assert r.code == 3 and "RunNotFound" in r.err
    r = acr("acr", "task", "logs", "-r", "myreg1", "-n", "nosuch")
    assert r.code == 1 and "Could not find the last created run for task 'nosuch'." in r.err


@pytest.mark.parametrize("trigger, shown", [
    ({"timerTriggers": [{"name": "t1", "status": "Disabled"}]}, ""),
    ({"sourceTriggers": [{"status": "Enabled"}], "timerTriggers": [{"status": "Enabled"}],
      "baseImageTrigger": {"status": "Enabled"}}, "BASE_IMAGE, SOURCE, TIMER"),
    ({"sourceTriggers": [{"status": "Disabled"}, {"status": "Enabled"}]}, ""),
])
def test_task_table_triggers_as_az_sorts_them(trigger, shown):
    from azlocal.acr import _format

    task = {"name": "t", "platform": {"os": "linux"}, "status": "Enabled", "step": {}, "trigger": trigger}
    assert _format.task_table(task)[0]["TRIGGERS"] == shown


@pytest.mark.parametrize("run, shown", [
    ({"timerTrigger": {"timerTriggerName": "t1"}, "imageUpdateTrigger": {"id": "x"}}, "Timer"),
    ({"imageUpdateTrigger": {"id": "x"}}, "Image Update"),
    ({"sourceTrigger": {"eventType": "commit"}, "timerTrigger": {"timerTriggerName": "t1"}}, "commit"),
    ({}, "Manual"),
])
def test_run_table_trigger_column(run, shown):
    from azlocal.acr import _format

    assert _format.run_table(dict(run, runId="ca1", status="Succeeded"))[0]["TRIGGER"] == shown


def test_cmd_task_step_is_the_encoded_task_az_sends(acr):
    import base64

    step = _task(acr)["step"]
    assert step["type"] == "EncodedTask" and step["contextPath"] is None
    text = base64.b64decode(step["encodedTaskContent"]).decode()
    assert text == ("version: v1.1.0\nsteps: \n  - cmd: mcr.microsoft.com/hello-world\n"
                    "    disableWorkingDirectoryOverride: true\n    timeout: 3600\n")
    table = acr("acr", "task", "list", "-r", "myreg1", "-o", "table").out
    assert "/dev/null" not in table
    step = _ok(acr("acr", "task", "update", "-r", "myreg1", "-n", "timertask", "--cmd", "busybox echo hi"))["step"]
    assert "cmd: busybox echo hi" in base64.b64decode(step["encodedTaskContent"]).decode()
