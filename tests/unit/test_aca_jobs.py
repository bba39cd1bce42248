"""Container-app jobs without Docker: the supervisor's rules (parallelism, completion count, retries, timeout,
init containers), the checks of a job's configuration, cron scale windows, and the commands' documents and
errors (an environment seeded in the store; images and the daemon stubbed; replicas faked)."""

import json
from datetime import datetime, timezone

import pytest

from azlocal.aca import job_executions as ex
from azlocal.aca import job_spec, job_timers


def _state(**kw):
    base = {"replicas": [], "succeeded": 0, "failed": 0, "started": 0, "timeout": 100, "retry_limit": 1,
            "parallelism": 2, "completions": 2, "inits": 0}
    return dict(base, **kw)


# The supervisor's rules ----------------------------------------------------------------------------

def test_a_new_execution_starts_parallelism_replicas_but_no_more_than_it_needs():
    _, actions, outcome = ex.step(_state(parallelism=3, completions=2), {}, 1)
    assert actions == [("new", 2)] and outcome is None
    _, actions, _ = ex.step(_state(parallelism=1, completions=5), {}, 1)
    assert actions == [("new", 1)]


def test_replicas_that_succeed_count_until_the_completion_count():
    state = _state(replicas=[{"name": "a", "phase": "main"}, {"name": "b", "phase": "main"}])
    state, actions, outcome = ex.step(state, {"a": ("exited", "main", [0]), "b": ("running", "main", [])}, 1)
    assert state["succeeded"] == 1 and ("remove", "a") in actions and outcome is None
    assert ("new", 1) not in actions  # one more needed, one running
    state, actions, outcome = ex.step(state, {"b": ("exited", "main", [0])}, 2)
    assert outcome == (ex.SUCCEEDED, "Completed") and ("kill",) in actions


def test_a_failed_replica_is_replaced_until_the_retry_limit_is_passed():
    state = _state(parallelism=1, completions=1, retry_limit=1, replicas=[{"name": "a", "phase": "main"}])
    state, actions, outcome = ex.step(state, {"a": ("exited", "main", [3])}, 1)
    assert outcome is None and ("failed", "a", 3) in actions and ("new", 1) in actions and state["failed"] == 1
    state["replicas"] = [{"name": "b", "phase": "main"}]
    state, actions, outcome = ex.step(state, {"b": ("exited", "main", [1])}, 2)
    assert outcome == (ex.FAILED, "BackoffLimitExceeded") and ("kill",) in actions


def test_a_replica_whose_containers_vanished_counts_as_failed():
    state = _state(parallelism=1, completions=1, retry_limit=0, replicas=[{"name": "a", "phase": "main"}])
    _, _, outcome = ex.step(state, {}, 1)
    assert outcome == (ex.FAILED, "BackoffLimitExceeded")


def test_an_execution_past_its_timeout_is_killed_and_fails():
    state = _state(started=100, timeout=10, replicas=[{"name": "a", "phase": "main"}])
    _, actions, outcome = ex.step(state, {"a": ("running", "main", [])}, 109)
    assert outcome is None
    _, actions, outcome = ex.step(state, {"a": ("running", "main", [])}, 111)
    assert outcome == (ex.FAILED, "DeadlineExceeded") and actions == [("kill",)]


def test_init_containers_run_one_after_the_other_before_the_main_ones():
    state = _state(inits=2, parallelism=1, completions=1, replicas=[{"name": "a", "phase": "init-0"}])
    state, actions, _ = ex.step(state, {"a": ("exited", "init-0", [0])}, 1)
    assert actions == [("init", "a", 1)] and state["replicas"][0]["phase"] == "init-1"
    state, actions, _ = ex.step(state, {"a": ("exited", "init-1", [0])}, 2)
    assert actions == [("main", "a")] and state["replicas"][0]["phase"] == "main"
    state, actions, outcome = ex.step(_state(inits=1, parallelism=1, completions=1, retry_limit=0,
                                             replicas=[{"name": "b", "phase": "init-0"}]),
                                      {"b": ("exited", "init-0", [2])}, 1)
    assert outcome == (ex.FAILED, "BackoffLimitExceeded")


# A job's configuration ------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["Job1", "a" * 33, "1job", "job-", "jo--b", "jo_b", ""])
def test_job_names_are_checked_with_az_s_message(name):
    from azlocal.core.errors import ValidationError

    if name == "Job1":
        job_spec.check_name(name)  # az's pattern ignores case
        return
    with pytest.raises(ValidationError, match="Invalid ContainerAppJob name"):
        job_spec.check_name(name)


def test_trigger_types_and_cron_expressions_are_checked():
    from azlocal.core.errors import ValidationError

    assert job_spec.trigger_type("manual") == "Manual" and job_spec.trigger_type("SCHEDULE") == "Schedule"
    with pytest.raises(ValidationError, match="JobInvalidTriggerType"):
        job_spec.trigger_type("daily")
    with pytest.raises(ValidationError, match=r"\(InvalidCronExpression\) Given CRON expression - '\* \* \*'"):
        job_spec.check_cron("* * *")
    assert job_spec.check_cron("*/5 * * * *")


def test_check_configuration_fills_defaults_and_refuses_a_foreign_trigger_block():
    from azlocal.core.errors import ValidationError

    conf = job_spec.check_configuration({"triggerType": "event", "replicaTimeout": 10, "replicaRetryLimit": 0,
                                         "eventTriggerConfig": {"scale": {"pollingInterval": None}}})
    assert conf["triggerType"] == "Event" and conf["manualTriggerConfig"] is None
    assert conf["eventTriggerConfig"]["parallelism"] == 1
    assert conf["eventTriggerConfig"]["scale"] == {"maxExecutions": 100, "minExecutions": 0, "pollingInterval": 30,
                                                   "rules": None}
    with pytest.raises(ValidationError, match="scheduleTriggerConfig is only allowed"):
        job_spec.check_configuration({"triggerType": "Manual", "replicaTimeout": 10,
                                      "scheduleTriggerConfig": {"cronExpression": "* * * * *"}})
    with pytest.raises(ValidationError, match="parallelism must be an integer"):
        job_spec.check_configuration({"triggerType": "Manual", "replicaTimeout": 10,
                                      "manualTriggerConfig": {"parallelism": -1}})


def test_scale_rules_other_than_cron_are_recorded_with_a_warning(monkeypatch):
    from azlocal.core.errors import ValidationError

    warned = []
    monkeypatch.setattr(job_spec.logger, "warning", lambda text, *args: warned.append(text % args))

    rule = job_spec.scale_rule("q", "azure-queue", ["queueName=foo"], ["connection=conn"])
    assert rule == {"name": "q", "type": "azure-queue", "metadata": {"queueName": "foo"},
                    "auth": [{"secretRef": "conn", "triggerParameter": "connection"}]}
    with pytest.raises(ValidationError, match="SecretRef 'conn'"):
        job_spec.check_rule(rule, [])
    job_spec.check_rule(rule, ["conn"])
    assert len(warned) == 1 and "'azure-queue' is recorded" in warned[0] and "starts no executions" in warned[0]
    with pytest.raises(ValidationError, match="valid 'end' cron"):
        job_spec.check_rule(job_spec.scale_rule("c", "cron", ["start=0 8 * * *"]), [])


def test_a_cron_rule_window_and_the_executions_an_event_job_asks_for():
    meta = {"timezone": "UTC", "start": "0 8 * * *", "end": "0 17 * * *", "desiredReplicas": "3"}
    at = lambda h, m=0: datetime(2026, 1, 5, h, m, tzinfo=timezone.utc)  # noqa: E731
    assert job_timers.cron_rule_active(meta, at(8)) and job_timers.cron_rule_active(meta, at(16, 59))
    assert not job_timers.cron_rule_active(meta, at(17)) and not job_timers.cron_rule_active(meta, at(7, 59))
    assert job_timers.cron_rule_active(dict(meta, timezone="America/New_York"), at(14))  # 09:00 in New York
    job = {"properties": {"configuration": {"eventTriggerConfig": {"scale": {
        "minExecutions": 0, "maxExecutions": 2, "rules": [{"name": "c", "type": "cron", "metadata": meta}]}}}}}
    assert job_timers.wanted_executions(job, 0, at(9)) == 2  # desired 3, at most 2
    assert job_timers.wanted_executions(job, 1, at(9)) == 1
    assert job_timers.wanted_executions(job, 0, at(18)) == 0


# The commands, on a seeded environment ---------------------------------------------------------------

class FakeReplica:
    started = []

    def __init__(self, job, env_doc, execution, template, name):
        self.name = name

    def start_main(self, first=True):
        FakeReplica.started.append(("main", self.name))

    def start_init(self, index):
        FakeReplica.started.append((f"init-{index}", self.name))


@pytest.fixture
def env(cli, monkeypatch):
    from azlocal.aca import job_runtime, revisions
    from azlocal.platform import lifecycle
    from tests.unit.test_aca_parity import _seed

    assert cli("group", "create", "-n", "rg", "-l", "eastus").code == 0
    env_doc, _ = _seed()
    monkeypatch.setattr(revisions, "ensure_images", lambda doc, template: None)
    monkeypatch.setattr(lifecycle, "ensure_running", lambda *a, **k: None)
    FakeReplica.started = []
    monkeypatch.setattr(job_runtime, "Replica", FakeReplica)
    monkeypatch.setattr(job_runtime, "kill", lambda *a, **k: None)
    monkeypatch.setattr(job_runtime, "remove_all", lambda *a, **k: None)
    monkeypatch.setattr(job_runtime, "observe", lambda *a: ("running", "main", []))
    return env_doc


def _create(cli, name="job1", *extra):
    return cli("containerapp", "job", "create", "-n", name, "-g", "rg", "--environment", "env1",
               "--replica-timeout", "30", "--replica-retry-limit", "1", "--image", "busybox:latest", *extra)


def _rows(kind="microsoft.app/jobs"):
    from azlocal.platform.store import store

    return [d["name"] for d in store().list(type=kind)]


def test_create_show_list_update_delete_a_manual_job(cli, env):
    r = _create(cli, "job1", "--trigger-type", "manual", "--parallelism", "2", "--rcc", "3", "--cpu", "0.25",
                "--memory", "0.5Gi", "--env-vars", "A=1")
    assert r.code == 0, r.err
    job = r.json()
    assert job["type"] == "Microsoft.App/jobs" and "/providers/Microsoft.App/jobs/job1" in job["id"]
    conf = job["properties"]["configuration"]
    assert conf["triggerType"] == "Manual" and conf["manualTriggerConfig"] == {"parallelism": 2,
                                                                             "replicaCompletionCount": 3}
    assert conf["scheduleTriggerConfig"] is None and conf["eventTriggerConfig"] is None
    assert job["identity"] == {"type": "None"} and job["properties"]["environmentId"] == env["id"]
    assert job["properties"]["template"]["containers"][0]["resources"] == {"cpu": 0.25, "ephemeralStorage": "2Gi",
                                                                           "memory": "0.5Gi"}
    shown = cli("containerapp", "job", "show", "-n", "job1", "-g", "rg").json()
    assert job["properties"]["template"]["containers"][0]["env"] == [{"name": "A"}]  # create hides values, as az
    assert shown["properties"]["template"]["containers"][0]["env"] == [{"name": "A", "value": "1"}]
    assert dict(shown, properties=None) == dict(job, properties=None)
    assert [j["name"] for j in cli("containerapp", "job", "list", "-g", "rg").json()] == ["job1"]
    r = cli("containerapp", "job", "update", "-n", "job1", "-g", "rg", "--replica-timeout", "300", "--cpu", "0.5",
            "--memory", "1.0Gi", "--set-env-vars", "B=2", "--parallelism", "1")
    assert r.code == 0, r.err
    updated = r.json()
    assert updated["properties"]["configuration"]["replicaTimeout"] == 300
    assert updated["properties"]["configuration"]["manualTriggerConfig"]["parallelism"] == 1
    c = updated["properties"]["template"]["containers"][0]
    assert c["resources"]["memory"] == "1Gi" and c["env"] == [{"name": "A"}, {"name": "B"}]
    assert cli("containerapp", "job", "delete", "-n", "job1", "-g", "rg", "--yes").code == 0
    assert _rows() == []
    r = cli("containerapp", "job", "show", "-n", "job1", "-g", "rg")
    assert r.code == 3 and "(ResourceNotFound) The Resource 'Microsoft.App/jobs/job1'" in r.err


def test_schedule_and_event_jobs_keep_their_trigger_settings(cli, env, caplog):
    r = _create(cli, "sched", "--trigger-type", "Schedule", "--cron-expression", "*/5 * * * *")
    assert r.code == 0, r.err
    assert r.json()["properties"]["configuration"]["scheduleTriggerConfig"] == {
        "cronExpression": "*/5 * * * *", "parallelism": 1, "replicaCompletionCount": 1}
    r = cli("containerapp", "job", "update", "-n", "sched", "-g", "rg", "--cron-expression", "0 * * * *")
    assert r.json()["properties"]["configuration"]["scheduleTriggerConfig"]["cronExpression"] == "0 * * * *"
    r = _create(cli, "ev", "--trigger-type", "Event", "--secrets", "conn=abc", "--min-executions", "1",
                "--max-executions", "5", "--scale-rule-name", "q", "--scale-rule-type", "azure-queue",
                "--scale-rule-metadata", "queueName=foo", "--scale-rule-auth", "connection=conn")
    assert r.code == 0, r.err
    scale = r.json()["properties"]["configuration"]["eventTriggerConfig"]["scale"]
    assert scale["minExecutions"] == 1 and scale["maxExecutions"] == 5 and scale["pollingInterval"] == 30
    assert scale["rules"][0]["type"] == "azure-queue" and "starts no executions here" in r.err
    assert scale["rules"][0]["metadata"] == {"queueName": ""}  # as the service's PUT answers; show has the values
    shown = cli("containerapp", "job", "show", "-n", "ev", "-g", "rg").json()
    assert shown["properties"]["configuration"]["eventTriggerConfig"]["scale"]["rules"][0]["metadata"] == {
        "queueName": "foo"}
    assert r.json()["properties"]["configuration"]["secrets"] == [{"name": "conn"}]


@pytest.mark.parametrize("extra, code, message", [
    (["--trigger-type", "Schedule", "--cron-expression", "61 * * * *"], 1, "(InvalidCronExpression) Given CRON"),
    (["--trigger-type", "Schedule"], 1, "(InvalidCronExpression)"),
    (["--trigger-type", "Weekly"], 1, "JobInvalidTriggerType"),
    ([], 1, "triggerType is required"),
    (["--trigger-type", "Manual", "--secrets", "a=1", "A=2"], 1, 'Duplicate secret "A" found'),
    (["--trigger-type", "Manual", "--env-vars", "X=secretref:nope"], 1, "SecretRef 'nope'"),
    (["--trigger-type", "Manual", "--parallelism", "0"], 1, "parallelism must be an integer"),
    (["--trigger-type", "Manual", "--replica-timeout", "abc"], 2, "invalid int value"),
])
def test_bad_input_is_refused_and_nothing_is_stored(cli, env, extra, code, message):
    from azlocal.platform import secrets

    r = _create(cli, "bad", *extra)
    assert r.code == code and message in r.err, r.err
    assert r.err.startswith("ERROR: ") and "Traceback" not in r.err
    assert _rows() == [] and not [k for k in secrets.list_keys() if "/secrets/" in k]


def test_missing_arguments_and_a_bad_name_are_az_s_errors(cli, env):
    r = cli("containerapp", "job", "create", "-n", "j", "-g", "rg", "--environment", "env1", "--trigger-type",
            "Manual")
    assert r.code == 1 and "Usage error: --replica-timeout is required" in r.err
    r = cli("containerapp", "job", "create", "-n", "j", "-g", "rg", "--replica-timeout", "5",
            "--replica-retry-limit", "0", "--trigger-type", "Manual")
    assert r.code == 1 and "--environment is required if not using --yaml" in r.err
    r = _create(cli, "Bad_Name", "--trigger-type", "Manual")
    assert r.code == 1 and "Invalid ContainerAppJob name Bad_Name" in r.err
    r = _create(cli, "j", "--trigger-type", "Manual", "--environment", "nope")
    assert r.code == 1 and "does not exist. Specify a valid environment" in r.err
    assert _rows() == []


def test_secrets_and_registries_of_a_job(cli, env):
    assert _create(cli, "sec", "--trigger-type", "Manual", "--secrets", "a=1").code == 0
    base = ("-n", "sec", "-g", "rg")
    assert cli("containerapp", "job", "secret", "set", *base, "--secrets", "b=2", "a=3").json() == [
        {"name": "a"}, {"name": "b"}]
    assert cli("containerapp", "job", "secret", "show", *base, "--secret-name", "A").json() == {"name": "a",
                                                                                                 "value": "3"}
    assert cli("containerapp", "job", "secret", "list", *base, "--show-values").json() == [
        {"name": "a", "value": "3"}, {"name": "b", "value": "2"}]
    r = cli("containerapp", "job", "secret", "show", *base, "--secret-name", "zz")
    assert r.code == 1 and "does not have a secret assigned with name zz" in r.err
    r = cli("containerapp", "job", "secret", "remove", *base, "--secret-names", "zz", "--yes")
    assert r.code == 1 and len(cli("containerapp", "job", "secret", "list", *base).json()) == 2
    assert cli("containerapp", "job", "secret", "remove", *base, "--secret-names", "b", "--yes").json() == [
        {"name": "a"}]
    r = cli("containerapp", "job", "registry", "show", *base, "--server", "r.example.com")
    assert r.code == 1 and "has no assigned registries" in r.err
    r = cli("containerapp", "job", "registry", "set", *base, "--server", "r.example.com")
    assert r.code == 1 and "username and password are required" in r.err
    r = cli("containerapp", "job", "registry", "set", *base, "--server", "r.example.com", "--username", "u",
            "--password", "p")
    assert r.json() == [{"identity": "", "passwordSecretRef": "rexamplecom-u", "server": "r.example.com",
                         "username": "u"}]
    assert {"name": "rexamplecom-u", "value": "p"} in cli("containerapp", "job", "secret", "list", *base,
                                                          "--show-values").json()
    r = cli("containerapp", "job", "secret", "remove", *base, "--secret-names", "rexamplecom-u", "--yes")
    assert r.code == 1 and "JobSecretInUse" in r.err
    assert cli("containerapp", "job", "registry", "remove", *base, "--server", "R.example.com").json() == []
    assert cli("containerapp", "job", "secret", "list", *base).json() == [{"name": "a"}]
    r = cli("containerapp", "job", "secret", "list", "-n", "nope", "-g", "rg")
    assert r.code == 3 and "The containerapp job 'nope' does not exist" in r.err


def _execution(cli, name):
    r = cli("containerapp", "job", "start", "-n", name, "-g", "rg")
    assert r.code == 0, r.err
    return r.json()


def test_start_records_an_execution_and_stop_stops_it(cli, env):
    assert _create(cli, "runner", "--trigger-type", "Manual", "--parallelism", "2", "--rcc", "2").code == 0
    started = _execution(cli, "runner")
    assert set(started) <= {"id", "name", "resourceGroup"} and started["name"].startswith("runner-")
    assert len(started["name"]) == len("runner-") + 7 and started["id"].endswith("/executions/" + started["name"])
    assert [k for k, _ in FakeReplica.started] == ["main", "main"]
    shown = cli("containerapp", "job", "execution", "show", "-n", "runner", "-g", "rg", "--job-execution-name",
                started["name"]).json()
    assert shown["properties"]["status"] == "Running" and "endTime" not in shown["properties"]
    assert shown["type"] == "Microsoft.App/jobs/executions"
    table = cli("containerapp", "job", "execution", "list", "-n", "runner", "-g", "rg", "-o", "table").out
    assert table.split()[:3] == ["Name", "StartTime", "Status"] and "Running" in table
    r = cli("containerapp", "job", "stop", "-n", "runner", "-g", "rg", "--job-execution-name", started["name"])
    assert r.json() == f"Job Execution: {started['name']}, stopped successfully."
    shown = cli("containerapp", "job", "execution", "show", "-n", "runner", "-g", "rg", "--job-execution-name",
                started["name"]).json()
    assert shown["properties"]["status"] == "Stopped" and shown["properties"]["endTime"]
    r = cli("containerapp", "job", "execution", "show", "-n", "runner", "-g", "rg", "--job-execution-name", "x")
    assert r.code == 3 and "ERROR: " in r.err
    r = cli("containerapp", "job", "stop", "-n", "runner", "-g", "rg", "--execution-name-list", "a,b")
    assert r.json() == "--execution-name-list is deprecated. Please use --job-execution-name instead."


def test_start_overrides_the_container_for_one_execution(cli, env):
    assert _create(cli, "over", "--trigger-type", "Manual", "--env-vars", "A=1").code == 0
    r = cli("containerapp", "job", "start", "-n", "over", "-g", "rg", "--container-name", "custom", "--cpu", "0.5",
            "--memory", "1Gi", "--image", "other:v1")
    name = r.json()["name"]
    shown = cli("containerapp", "job", "execution", "show", "-n", "over", "-g", "rg", "--job-execution-name",
                name).json()
    c = shown["properties"]["template"]["containers"]
    assert [x["name"] for x in c] == ["custom"] and c[0]["image"] == "other:v1"
    assert c[0]["resources"]["memory"] == "1Gi" and c[0]["env"] == [{"name": "A", "value": "1"}]


def test_executions_advance_when_read_and_end_with_end_times(cli, env, monkeypatch):
    from azlocal.aca import job_runtime

    assert _create(cli, "adv", "--trigger-type", "Manual", "--parallelism", "1", "--rcc", "2").code == 0
    name = _execution(cli, "adv")["name"]
    monkeypatch.setattr(job_runtime, "observe", lambda *a: ("exited", "main", [0]))
    show = ("containerapp", "job", "execution", "show", "-n", "adv", "-g", "rg", "--job-execution-name", name)
    assert cli(*show).json()["properties"]["status"] == "Running"  # one of two done; the second started
    assert len(FakeReplica.started) == 2
    done = cli(*show).json()["properties"]
    assert done["status"] == "Succeeded" and done["endTime"] >= done["startTime"]


def test_fire_schedules_starts_a_matching_job_once_a_minute(cli, env):
    assert _create(cli, "every", "--trigger-type", "Schedule", "--cron-expression", "*/2 * * * *").code == 0
    assert _create(cli, "manual", "--trigger-type", "Manual").code == 0
    job_timers.fire_schedules(datetime(2026, 1, 1, 10, 3, tzinfo=timezone.utc))
    assert _rows(ex.EXEC_TYPE) == []
    minute = datetime(2026, 1, 1, 10, 4, 12, tzinfo=timezone.utc)
    job_timers.fire_schedules(minute)
    job_timers.fire_schedules(minute)  # the same minute again (a restarted daemon): no second execution
    names = _rows(ex.EXEC_TYPE)
    assert len(names) == 1 and names[0].startswith("every-")


def test_deleting_a_job_forgets_its_executions_and_secrets(cli, env):
    from azlocal.platform import secrets
    from azlocal.platform.store import store

    assert _create(cli, "gone", "--trigger-type", "Manual", "--secrets", "s=1").code == 0
    _execution(cli, "gone")
    assert cli("containerapp", "job", "delete", "-n", "gone", "-g", "rg", "--yes").code == 0
    assert _rows(ex.EXEC_TYPE) == [] and not [k for k in secrets.list_keys() if "/secrets/" in k]
    assert not [k for k in json.loads(json.dumps(store().conn.execute("SELECT key FROM kv").fetchall()))
                if "job-execution" in k[0]]


_YAML = """
location: eastus
properties:
  environmentId: {env_id}
  configuration:
    triggerType: Manual
    replicaTimeout: 100
    replicaRetryLimit: 1
    manualTriggerConfig: {{parallelism: 1, replicaCompletionCount: 1}}
    secrets:
    - name: pw
      value: hunter2
  template:
    containers:
    - name: main
      image: busybox:latest
      env:
      - name: PW
        secretRef: pw
      resources: {{cpu: 0.5, memory: 1Gi}}
    initContainers:
    - name: first
      image: busybox:latest
      command: [/bin/sh, -c, "true"]
      resources: {{cpu: "0.25", memory: 0.5Gi}}
"""


def test_create_update_and_start_from_yaml(cli, env, tmp_path):
    path = tmp_path / "job.yaml"
    path.write_text(_YAML.format(env_id=env["id"]))
    r = cli("containerapp", "job", "create", "-n", "fromyaml", "-g", "rg", "--yaml", str(path))
    assert r.code == 0, r.err
    job = r.json()
    assert job["properties"]["configuration"]["replicaTimeout"] == 100
    assert job["properties"]["configuration"]["secrets"] == [{"name": "pw"}]
    assert job["properties"]["template"]["initContainers"][0]["resources"]["cpu"] == 0.25
    assert cli("containerapp", "job", "secret", "show", "-n", "fromyaml", "-g", "rg", "--secret-name",
               "pw").json()["value"] == "hunter2"
    path.write_text(_YAML.format(env_id=env["id"]).replace("replicaTimeout: 100", "replicaTimeout: 200")
                    .replace("cpu: 0.5, memory: 1Gi", "cpu: 0.75, memory: 1.5Gi"))
    r = cli("containerapp", "job", "update", "-n", "fromyaml", "-g", "rg", "--yaml", str(path))
    assert r.code == 0, r.err
    assert r.json()["properties"]["configuration"]["replicaTimeout"] == 200
    assert r.json()["properties"]["template"]["containers"][0]["resources"]["memory"] == "1.5Gi"
    run = tmp_path / "run.yaml"
    run.write_text("containers:\n- name: once\n  image: other:v2\n  resources: {cpu: 0.5, memory: 1Gi}\n")
    name = cli("containerapp", "job", "start", "-n", "fromyaml", "-g", "rg", "--yaml", str(run)).json()["name"]
    shown = cli("containerapp", "job", "execution", "show", "-n", "fromyaml", "-g", "rg", "--job-execution-name",
                name).json()
    assert [c["name"] for c in shown["properties"]["template"]["containers"]] == ["once"]
    path.write_text("properties:\n  configuration: {triggerType: Manual, replicaTimeout: 5}\n  template:\n"
                    "    containers: [{name: a, image: busybox}]\n")
    r = cli("containerapp", "job", "create", "-n", "byname", "-g", "rg", "--yaml", str(path), "--environment", "env1")
    assert r.code == 0 and r.json()["properties"]["environmentId"] == env["id"]  # the flag's name, in -g
    r = cli("containerapp", "job", "create", "-n", "noenv", "-g", "rg", "--yaml", str(path))
    assert r.code == 1 and "environmentId is required" in r.err and _rows() == ["fromyaml", "byname"]


def test_the_history_keeps_the_newest_executions(cli, env, monkeypatch):
    monkeypatch.setattr(ex, "KEPT", 2)
    assert _create(cli, "hist", "--trigger-type", "Manual").code == 0
    names = []
    for _ in range(4):
        names.append(_execution(cli, "hist")["name"])
        cli("containerapp", "job", "stop", "-n", "hist", "-g", "rg")
    listed = [e["name"] for e in cli("containerapp", "job", "execution", "list", "-n", "hist", "-g", "rg").json()]
    assert sorted(listed) == sorted(names[-2:])


def test_cron_expression_on_a_manual_job_is_dropped_as_az_drops_it(cli, env):
    r = _create(cli, "manual-cron", "--trigger-type", "Manual", "--cron-expression", "* * * * *")
    assert r.code == 0, r.err
    config = r.json()["properties"]["configuration"]
    assert config["scheduleTriggerConfig"] is None and "cronExpression" not in config["manualTriggerConfig"]
    r = cli("containerapp", "job", "update", "-n", "manual-cron", "-g", "rg", "--cron-expression", "0 * * * *")
    assert r.code == 0, r.err
    assert r.json()["properties"]["configuration"]["scheduleTriggerConfig"] is None
