"""System logs of container apps (no Docker): the events' shape, where they are kept, tail and follow, and
the argument checks of `containerapp logs show` / `containerapp env logs show` as az 2.91 makes them."""

import json
import threading
import time

import pytest

from azlocal.aca import revision_events, system_logs

ENV = "/subscriptions/s/resourceGroups/g/providers/Microsoft.App/managedEnvironments/env1"
APP = {"name": "web", "type": "Microsoft.App/containerApps", "properties": {"managedEnvironmentId": ENV}}
JOB = {"name": "nightly", "type": "Microsoft.App/jobs", "properties": {"environmentId": ENV}}
KEYS = ["TimeStamp", "Type", "ContainerAppName", "RevisionName", "ReplicaName", "Msg", "Reason", "EventSource",
        "Count"]


@pytest.fixture
def logs_home(tmp_path, monkeypatch):
    monkeypatch.setenv("AZLOCAL_HOME", str(tmp_path))
    return tmp_path


def test_an_event_has_azures_keys_in_order_and_stays_out_of_the_users_names(logs_home):
    system_logs.record(APP, "RevisionCreation", "Creating new revision 'web--a'", revision="web--a")
    [event] = system_logs.entries(ENV)
    assert list(event) == KEYS
    assert event["ContainerAppName"] == "web" and event["RevisionName"] == "web--a" and event["ReplicaName"] is None
    assert (event["Type"], event["EventSource"], event["Count"]) == ("Normal", "ContainerAppController", 1)
    assert event["TimeStamp"].endswith("Z") and "T" in event["TimeStamp"]
    files = list((logs_home / "aca" / "system-logs").iterdir())
    assert len(files) == 1 and "env1" not in files[0].name  # a hash of the id, not the user's name


def test_a_jobs_event_names_the_job_and_an_app_filter_finds_each(logs_home):
    system_logs.record(JOB, "JobExecutionStarted", "started")
    system_logs.record(APP, "ContainerStarted", "Started container 'web'")
    assert [e["JobName"] for e in system_logs.entries(ENV, name="nightly")] == ["nightly"]
    assert [e["Reason"] for e in system_logs.entries(ENV, name="web")] == ["ContainerStarted"]
    assert len(system_logs.entries(ENV)) == 2


def test_recording_never_fails_the_operation(logs_home):
    (logs_home / "aca").write_text("a file where the folder should be")
    system_logs.record(APP, "RevisionReady", "ok")  # no exception
    system_logs.record({"name": None}, "X", "no environment at all")
    assert system_logs.entries(ENV) == []


def test_tail_and_the_streams_connection_events(logs_home):
    for n in range(5):
        system_logs.record(APP, "R", f"event {n}")
    assert [e["Msg"] for e in system_logs.entries(ENV, tail=2)] == ["event 3", "event 4"]
    assert system_logs.entries(ENV, tail=0) == []
    out = list(system_logs.stream(ENV, name="web", tail=3))
    assert [e["Reason"] for e in out[:2]] == ["StartingGettingEvents", "ConnectedToEventsServer"]
    assert out[0]["ContainerAppName"] is None
    assert [e["Msg"] for e in out[2:]] == ["event 2", "event 3", "event 4"]


def test_follow_prints_new_events_as_they_are_written(logs_home):
    system_logs.record(APP, "R", "before")
    stream = system_logs.stream(ENV, name="web", tail=20, follow=True, poll=0.05)
    seen = [next(stream) for _ in range(3)]
    assert seen[-1]["Msg"] == "before"
    threading.Thread(target=lambda: (time.sleep(0.2), system_logs.record(APP, "R", "after"),
                                     system_logs.record(JOB, "R", "not this one"),
                                     system_logs.record(APP, "R", "and this"))).start()
    assert next(stream)["Msg"] == "after"
    assert next(stream)["Msg"] == "and this"


def test_an_environments_logs_go_with_it_and_a_big_log_is_trimmed(logs_home, monkeypatch):
    system_logs.record(APP, "R", "x")
    system_logs.delete_environment(ENV)
    assert system_logs.entries(ENV) == []
    monkeypatch.setattr(system_logs, "MAX_BYTES", 2000)
    for n in range(40):
        system_logs.record(APP, "R", f"event {n}")
    kept = system_logs.entries(ENV)
    assert 0 < len(kept) < 40 and kept[-1]["Msg"] == "event 39"


def test_revision_events_use_azures_reasons(logs_home):
    revision_events.revision_creating(APP, "web--a")
    revision_events.replica_assigned(APP, "web--a", "web--a-x")
    revision_events.container_started(APP, "web--a", "web--a-x", "web", "nginx")
    revision_events.traffic_set(APP, {"web--a": 100})
    revision_events.container_terminated(APP, "web--a", "web--a-x", "web", 137)
    revision_events.scaled(APP, "web--a", 0, 2, "the cron scale rule 'office' is active")
    revision_events.scaled(APP, "web--a", 2, 2, "no change: no event")
    events = system_logs.entries(ENV)
    assert [e["Reason"] for e in events] == [
        "ContainerAppUpdate", "RevisionCreation", "AssigningReplica", "PullingImage", "PulledImage",
        "ContainerCreated", "ContainerStarted", "RevisionUpdate", "ContainerTerminated", "KEDAScaleTargetActivated"]
    assert events[7]["Msg"] == "Setting traffic weight of '100%' for revision 'web--a'"
    assert "exit code '137'" in events[8]["Msg"] and events[8]["Type"] == "Warning"
    assert events[-1]["EventSource"] == "KEDA" and "'office'" in events[-1]["Msg"]


def test_the_env_stream_prints_compact_lines_as_az_does():
    from azlocal.aca.commands_logs import stream_line

    line = stream_line({"Msg": 'Pulling image "nginx"', "ReplicaName": None})
    assert line == '{"Msg":"Pulling image "nginx"","ReplicaName":null}'


@pytest.mark.parametrize("args, message", [
    (["--tail", "301"], "--tail must be between 0 and 300."),
    (["--tail", "-1"], "--tail must be between 0 and 300."),
    (["--type", "system", "--revision", "r"], "--type: --container, --replica, and --revision not supported"),
    (["--type", "system", "--format", "text"], "--type: only json logs supported for system logs"),
])
def test_logs_show_refuses_what_az_refuses(cli, args, message):
    r = cli("containerapp", "logs", "show", "-n", "web", "-g", "g", *args)
    assert r.code == 1 and message in r.err, r


def test_env_logs_show_checks_tail_and_the_environment(cli):
    r = cli("containerapp", "env", "logs", "show", "-n", "env1", "-g", "g", "--tail", "500")
    assert r.code == 1 and "--tail must be between 0 and 300." in r.err
    assert cli("group", "create", "-n", "g", "-l", "eastus").code == 0
    r = cli("containerapp", "env", "logs", "show", "-n", "nope", "-g", "g")
    assert r.code == 3 and "nope" in r.err


def test_env_logs_show_prints_the_environments_events(logs_home, monkeypatch, capsys):
    from azlocal.aca import commands_logs, environments

    monkeypatch.setattr(environments, "get", lambda group, name: {"id": ENV, "name": name})
    system_logs.record(APP, "RevisionReady", "Successfully provisioned revision 'web--a'")
    system_logs.record(JOB, "JobExecutionStarted", "started")
    commands_logs.env_logs_show("env1", "g", tail=1)
    lines = capsys.readouterr().out.splitlines()
    assert [json.loads(x)["Reason"] for x in lines] == ["StartingGettingEvents", "ConnectedToEventsServer",
                                                        "JobExecutionStarted"]
    assert lines[-1].startswith('{"TimeStamp":"')


def test_a_secret_change_is_an_event_without_the_value(logs_home):
    revision_events.secrets_changed(APP, "Updated", ["db-password"])
    [event] = system_logs.entries(ENV)
    assert event["Reason"] == "SecretUpdate" and "db-password" in event["Msg"] and event["RevisionName"] is None


class _Container:
    def __init__(self, replica, name, status, exit_code=0, restarts=0):
        self.labels = {"azlocal.aca.replica": replica, "azlocal.aca.container": name}
        self.attrs = {"State": {"Status": status, "ExitCode": exit_code}, "RestartCount": restarts}


def test_stopping_a_revision_records_each_container_and_a_crash_its_exit_code(logs_home, monkeypatch):
    from azlocal.platform import store

    monkeypatch.setattr(store, "store", lambda: type("S", (), {"get": staticmethod(lambda rid: APP)})())
    revision_events.replicas_stopping("/app-id", "web--a", [_Container("web--a-x", "web", "running"),
                                                             _Container("web--a-x", "side", "exited", 2)])
    revision_events.crash_looping(APP, "web--b", _Container("web--b-y", "web", "exited", 1, restarts=3))
    events = [(e["Reason"], e["Msg"]) for e in system_logs.entries(ENV)]
    assert events[0] == ("StoppingContainer", "Stopping container 'web'")
    assert events[1][0] == "ContainerTerminated" and "exit code '2'" in events[1][1]
    assert events[2][0] == "ContainerTerminated" and "exit code '1'" in events[2][1]
    assert events[3][0] == "ReplicaUnhealthy" and "restart count 3" in events[3][1]


def test_deleting_an_environment_deletes_its_system_logs(logs_home, monkeypatch):
    from azlocal.aca import containerapps
    from azlocal.platform.engine import objects

    monkeypatch.setattr(objects, "networks", lambda **kw: [])
    system_logs.record(APP, "R", "x")
    containerapps.cleanup_environment({"id": ENV})  # the cleaner of a group delete; env delete runs the same
    assert system_logs.entries(ENV) == [] and not list((logs_home / "aca" / "system-logs").iterdir())
