"""The pure parts of ACI probes: probe -> Docker healthcheck and probe command, timing defaults, the
event bookkeeping (liveness health logs, readiness thresholds), back-off, and how the view shows them."""

from azlocal.aci import probes, view

SECOND = 1_000_000_000


def test_exec_probe_as_a_docker_healthcheck_in_either_spelling():
    camel = {"exec": {"command": ["cat", "/tmp/healthy"]}, "periodSeconds": 5, "failureThreshold": 2,
             "timeoutSeconds": 3, "initialDelaySeconds": 4}
    lower = {"exec": {"command": ["cat", "/tmp/healthy"]}, "periodseconds": 5, "failurethreshold": 2,
             "timeoutseconds": 3, "initialdelayseconds": 4}
    expected = {"test": ["CMD", "cat", "/tmp/healthy"], "interval": 5 * SECOND, "timeout": 3 * SECOND,
                "retries": 2, "start_period": 4 * SECOND}
    assert probes.healthcheck(camel) == expected
    assert probes.healthcheck(lower) == expected
    # az's shape of the stored document (execProperty, nulls for what is unset) works too: the daemon reads it
    shown = {"execProperty": {"command": ["cat", "/tmp/healthy"]}, "httpGet": None, "periodSeconds": None,
             "failureThreshold": None, "successThreshold": None, "timeoutSeconds": None, "initialDelaySeconds": None}
    assert probes.healthcheck(shown) == {"test": ["CMD", "cat", "/tmp/healthy"], "interval": 10 * SECOND,
                                         "timeout": SECOND, "retries": 3, "start_period": 0}


def test_no_probe_or_an_empty_one_is_no_healthcheck():
    assert probes.healthcheck(None) is None
    assert probes.healthcheck({}) is None
    assert probes.healthcheck({"periodSeconds": 3}) is None
    assert probes.healthcheck({"exec": {"command": []}}) is None


def test_http_probe_runs_wget_in_the_container_with_its_headers():
    probe = {"httpGet": {"path": "healthz", "port": 8080, "scheme": "HTTPS",
                         "httpHeaders": [{"name": "X-Probe", "value": "1"}]}}
    assert probes.command_of(probe) == ["wget", "-q", "-O", "/dev/null", "--no-check-certificate",
                                        "--header", "X-Probe: 1", "https://localhost:8080/healthz"]
    assert probes.command_of({"httpget": {"port": 80}}) == ["wget", "-q", "-O", "/dev/null", "http://localhost:80/"]


def test_timing_defaults_are_kubernetes_and_nonsense_falls_back():
    assert probes.settings_of({}) == {"initialDelaySeconds": 0, "periodSeconds": 10, "failureThreshold": 3,
                                      "successThreshold": 1, "timeoutSeconds": 1}
    timing = probes.settings_of({"periodSeconds": "2", "failureThreshold": 0, "timeoutSeconds": "x"})
    assert timing["periodSeconds"] == 2 and timing["failureThreshold"] == 1 and timing["timeoutSeconds"] == 1


def test_same_reason_and_message_raise_the_count():
    record = {}
    probes.add_event(record, "Unhealthy", "Liveness probe failed: x", "Warning", "2024-01-01T10:00:01+00:00")
    probes.add_event(record, "Unhealthy", "Liveness probe failed: x", "Warning", "2024-01-01T10:00:03+00:00")
    probes.add_event(record, "Killing", "Killing container with id abc", "Normal", "2024-01-01T10:00:04+00:00")
    unhealthy, killing = record["events"]
    assert unhealthy == {"count": 2, "firstTimestamp": "2024-01-01T10:00:01+00:00",
                         "lastTimestamp": "2024-01-01T10:00:03+00:00", "message": "Liveness probe failed: x",
                         "name": "Unhealthy", "type": "Warning"}
    assert killing["count"] == 1 and killing["type"] == "Normal"


def test_new_liveness_failures_from_the_health_log():
    health = {"Log": [
        {"Start": "2024-01-01T10:00:01.5Z", "ExitCode": 1, "Output": "early\n"},  # inside the initial delay
        {"Start": "2024-01-01T10:00:06.25Z", "ExitCode": 0, "Output": ""},
        {"Start": "2024-01-01T10:00:07.123456789Z", "ExitCode": 1,
         "Output": "cat: can't open '/tmp/healthy': No such file or directory\n"},
        {"Start": "2024-01-01T10:00:08Z", "ExitCode": -1, "Output": ""},
    ]}
    failures, newest = probes.new_failures(health, None, "2024-01-01T10:00:00Z", 5)
    assert failures == [
        ("2024-01-01T10:00:07.123456+00:00",
         "Liveness probe failed: cat: can't open '/tmp/healthy': No such file or directory"),
        ("2024-01-01T10:00:08+00:00", "Liveness probe failed: probe timed out"),
    ]
    assert newest == probes.seconds("2024-01-01T10:00:08Z")
    # A later round sees nothing new.
    assert probes.new_failures(health, newest, "2024-01-01T10:00:00Z", 5) == ([], newest)


def test_readiness_thresholds_and_a_new_start():
    timing = {"successThreshold": 2, "failureThreshold": 2}
    record = {}
    assert probes.readiness_result(record, "start-1", False, "Readiness probe failed: no", timing) is False
    assert probes.readiness_result(record, "start-1", True, "", timing) is False
    assert probes.readiness_result(record, "start-1", True, "", timing) is True
    assert probes.readiness_result(record, "start-1", False, "Readiness probe failed: no", timing) is True
    assert probes.readiness_result(record, "start-1", False, "Readiness probe failed: no", timing) is False
    assert [(e["name"], e["count"]) for e in record["events"]] == [("Unhealthy", 3)]
    # A restarted container starts not ready, whatever the record said.
    record["ready"] = True
    probes.readiness_for(record, "start-2")
    assert record["ready"] is False and record["successes"] == 0


def test_back_off_doubles_after_the_first_restart_up_to_five_minutes():
    assert [probes.backoff(n) for n in range(7)] == [0, 10, 20, 40, 80, 160, 300]


def test_old_records_and_timestamps():
    assert probes.record_of(3) == {"restarts": 3}
    assert probes.record_of(None) == {"restarts": 0}
    assert probes.stamp("0001-01-01T00:00:00Z") is None
    assert probes.stamp("2024-01-01T10:00:00.123456789Z") == "2024-01-01T10:00:00.123456+00:00"
    assert probes.stamp(0) == "1970-01-01T00:00:00+00:00"
    assert probes.terminated_state({"ExitCode": 143, "StartedAt": "2024-01-01T10:00:00Z",
                                    "FinishedAt": "2024-01-01T10:00:09Z"}) == {
        "detailStatus": "Error", "exitCode": 143, "finishTime": "2024-01-01T10:00:09+00:00",
        "startTime": "2024-01-01T10:00:00+00:00", "state": "Terminated"}


def test_view_shows_a_lower_cased_probe_as_az_does():
    stored = {"exec": {"command": ["cat", "/tmp/ready"]}, "periodseconds": "5", "failurethreshold": 3}
    assert view.shown(stored) == {"execProperty": {"command": ["cat", "/tmp/ready"]}, "failureThreshold": 3,
                                  "httpGet": None, "initialDelaySeconds": None, "periodSeconds": 5,
                                  "successThreshold": None, "timeoutSeconds": None}
    get = view.shown({"httpGet": {"port": "80", "path": "/", "httpheaders": [{"name": "a", "value": "b"}]}})["httpGet"]
    assert get == {"httpHeaders": [{"name": "a", "value": "b"}], "path": "/", "port": 80, "scheme": None}


class _Container:
    id = "c" * 64

    def __init__(self, status="running", restart_count=0):
        self.attrs = {"Created": "2024-01-01T10:00:00.5Z", "RestartCount": restart_count,
                      "Config": {"Image": "azlocal/busybox:latest"},
                      "State": {"Status": status, "StartedAt": "2024-01-01T10:00:30Z", "ExitCode": 143,
                                "FinishedAt": "2024-01-01T10:00:20Z"}}


def test_container_view_has_the_probe_events_restarts_and_previous_state(home):
    from azlocal.platform.store import store

    record = {"restarts": 1, "firstStart": "2024-01-01T10:00:01+00:00",
              "previous": {"detailStatus": "Error", "exitCode": 143, "finishTime": "2024-01-01T10:00:20+00:00",
                           "startTime": "2024-01-01T10:00:01+00:00", "state": "Terminated"}}
    probes.add_event(record, "Unhealthy", "Liveness probe failed: x", "Warning", "2024-01-01T10:00:10+00:00")
    probes.add_event(record, "Killing", "Killing container with id cccc", "Normal", "2024-01-01T10:00:12+00:00")
    with store().transaction():
        store().set_value(probes.PREFIX + _Container.id, record)
    shown = view._container_view(_Container())
    assert shown["restartCount"] == 1 and shown["previousState"] == record["previous"]
    assert [e["name"] for e in shown["events"]] == ["Pulling", "Pulled", "Created", "Started", "Unhealthy",
                                                     "Killing"]
    started = shown["events"][3]
    assert started["count"] == 2 and started["firstTimestamp"] == "2024-01-01T10:00:01+00:00"
    assert started["lastTimestamp"] == "2024-01-01T10:00:30+00:00"
    # Waiting out the back-off before the next restart.
    with store().transaction():
        store().set_value(probes.PREFIX + _Container.id, dict(record, restartAt=1e12))
    waiting = view._container_view(_Container("exited"))["currentState"]
    assert waiting["state"] == "Waiting" and waiting["detailStatus"].startswith("CrashLoopBackOff")


def test_a_group_waiting_out_a_back_off_is_running_under_on_failure():
    waiting = {"currentState": {"state": "Waiting", "exitCode": None,
                                "detailStatus": "CrashLoopBackOff: Back-off restarting failed container"}}
    terminated = {"currentState": {"state": "Terminated", "exitCode": 143, "detailStatus": "Error"}}
    raw = {"Status": "exited", "Restarting": False}
    assert view._group_state({"restartPolicy": "OnFailure"}, [(raw, waiting)], False) == "Running"
    assert view._group_state({"restartPolicy": "OnFailure"}, [(raw, terminated)], False) == "Failed"
    assert view._group_state({"restartPolicy": "Never"}, [(raw, terminated)], False) == "Failed"
