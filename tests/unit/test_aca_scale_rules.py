"""Scale rules as KEDA has them (no Docker): the rules `--scale-rule-*` make, the check of cron metadata and
of scalers that cannot fire offline, and the cron scaler's decisions for chosen times."""

import datetime

import pytest

from azlocal.aca import cron_scaling, revisions
from azlocal.aca.containerapps_options import scale_rule
from azlocal.core.errors import ValidationError

UTC = datetime.timezone.utc
OFFICE = {"timezone": "Europe/London", "start": "0 8 * * 1-5", "end": "0 18 * * 1-5", "desiredReplicas": "2"}


def _cron(metadata=None, name="office"):
    return {"name": name, "custom": {"type": "cron", "metadata": dict(OFFICE if metadata is None else metadata)}}


def test_http_tcp_and_custom_rules_as_the_service_returns_them():
    assert scale_rule("h", None, 50, ["key=value"], ["trigger=secretref"]) == [{"name": "h", "http": {
        "metadata": {"concurrentRequests": "50", "key": "value"},
        "auth": [{"secretRef": "secretref", "triggerParameter": "trigger"}]}}]
    assert scale_rule("t", "tcp", 2, None, None) == [{"name": "t", "tcp": {"metadata": {"concurrentConnections": "2"}}}]
    [rule] = scale_rule("d", "datadog", None, ["queryValue=7", "age=120"], ["apiKey=api-key", "appKey=app-key"])
    assert rule["custom"]["type"] == "datadog"
    assert rule["custom"]["metadata"] == {"queryValue": "7", "age": "120"}
    assert [a["triggerParameter"] for a in rule["custom"]["auth"]] == ["apiKey", "appKey"]
    assert scale_rule(None) is None


def test_create_and_update_print_rule_metadata_keys_without_values_as_az_does():
    from azlocal.aca.containerapps_options import hide_rule_metadata

    doc = {"properties": {"template": {"scale": {"rules": [
        {"name": "h", "http": {"metadata": {"concurrentRequests": "50", "key": "value"}}},
        {"name": "q", "azureQueue": {"queueName": "jobs", "queueLength": 1}}]}}}}
    rules = hide_rule_metadata(doc)["properties"]["template"]["scale"]["rules"]
    assert rules[0]["http"]["metadata"] == {"concurrentRequests": "", "key": ""}
    assert rules[1]["azureQueue"] == {"queueName": "jobs", "queueLength": 1}
    assert hide_rule_metadata({"properties": {}}) == {"properties": {}}


@pytest.mark.parametrize("args, message", [
    ((None, None, None, ["a=b"]), "--scale-rule-name is required"),
    (("r", "http", None, ["novalue"]), "Metadata must be in format"),
    (("r", "http", None, ["a=1", "a=2"]), 'Duplicate metadata "a" found'),
    (("r", "http", 5, ["concurrentRequests=1"]), 'Duplicate metadata "concurrentRequests" found'),
    (("r", "http", None, None, ["x"]), "Auth parameters must be in format"),
])
def test_bad_scale_rule_flags_are_refused_as_az_refuses_them(args, message):
    with pytest.raises(ValidationError, match=message):
        scale_rule(*args)


@pytest.mark.parametrize("change, message", [
    ({"start": None}, "needs the metadata start"),
    ({"timezone": "Mars/Olympus"}, "unknown timezone 'Mars/Olympus'"),
    ({"start": "every morning"}, "invalid start 'every morning'"),
    ({"end": "0 25 * * *"}, "invalid end"),
    ({"end": "0 8 * * 1-5"}, "start and end must not be the same"),
    ({"desiredReplicas": "two"}, "desiredReplicas must be a whole number"),
])
def test_bad_cron_metadata_is_refused_naming_the_rule(change, message):
    metadata = {k: v for k, v in dict(OFFICE, **change).items() if v is not None}
    with pytest.raises(ValidationError, match=message):
        cron_scaling.check_rules({"scale": {"rules": [_cron(metadata)]}})
    pairs = [f"{k}={v}" for k, v in metadata.items()]
    with pytest.raises(ValidationError, match="office"):
        scale_rule("office", "cron", None, pairs)


def test_scalers_that_cannot_fire_offline_are_kept_with_a_warning(monkeypatch):
    warned = []
    monkeypatch.setattr(cron_scaling.logger, "warning", lambda msg, *args: warned.append(msg % args))
    rules = [{"name": "q", "azureQueue": {"queueName": "jobs", "queueLength": 1}},
             {"name": "d", "custom": {"type": "datadog", "metadata": {}}}, _cron(),
             {"name": "h", "http": {"metadata": {"concurrentRequests": "10"}}}]
    cron_scaling.check_rules({"scale": {"rules": rules}})
    assert len(warned) == 2
    assert "'q' of type 'azureQueue'" in warned[0] and "'d' of type 'datadog'" in warned[1]
    assert all("never fires here" in w for w in warned)


@pytest.mark.parametrize("when, open_", [
    (datetime.datetime(2026, 1, 5, 7, 59, tzinfo=UTC), False),  # Monday, winter: London is UTC
    (datetime.datetime(2026, 1, 5, 8, 0, tzinfo=UTC), True),  # the start's minute opens it
    (datetime.datetime(2026, 1, 5, 17, 59, tzinfo=UTC), True),
    (datetime.datetime(2026, 1, 5, 18, 0, tzinfo=UTC), False),  # the end's minute closes it
    (datetime.datetime(2026, 7, 6, 7, 30, tzinfo=UTC), True),  # summer: 08:30 in London
    (datetime.datetime(2026, 7, 6, 17, 30, tzinfo=UTC), False),  # 18:30 in London
    (datetime.datetime(2026, 1, 3, 12, 0, tzinfo=UTC), False),  # Saturday
])
def test_the_window_is_read_in_the_rules_timezone(when, open_):
    assert cron_scaling.window_open(OFFICE, when) is open_


def test_the_largest_open_window_wins_and_floor_is_zero_outside():
    night = _cron({"timezone": "Etc/UTC", "start": "0 0 * * *", "end": "0 6 * * *", "desiredReplicas": "5"}, "night")
    template = {"scale": {"rules": [_cron(), night]}}
    monday_noon = datetime.datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
    assert cron_scaling.wanted(template, monday_noon) == (2, "office")
    assert cron_scaling.wanted(template, datetime.datetime(2026, 1, 5, 3, 0, tzinfo=UTC)) == (5, "night")
    assert cron_scaling.floor(template, datetime.datetime(2026, 1, 5, 7, 0, tzinfo=UTC)) == 0


class _Head:
    def __init__(self, name, scaler=None):
        self.labels = {"azlocal.aca.replica": name, **({revisions.SCALER_LABEL: scaler} if scaler else {})}


@pytest.fixture
def fake_engine(monkeypatch, tmp_path):
    """The revision's replicas as a list; start/stop change it (the Docker side is the integration test's)."""
    monkeypatch.setenv("AZLOCAL_HOME", str(tmp_path))
    heads = []
    calls = []

    def start(app, rev, env, count, scaler=None):
        calls.append(("start", count, scaler))
        heads.extend(_Head(f"r{len(heads) + i}", scaler) for i in range(count))

    def stop(app_id, revision, replica):
        calls.append(("stop", replica))
        heads[:] = [h for h in heads if h.labels["azlocal.aca.replica"] != replica]

    monkeypatch.setattr(revisions, "pod_heads", lambda app_id, rev: list(heads))
    monkeypatch.setattr(revisions, "start_replicas", start)
    monkeypatch.setattr(revisions, "stop_replica", stop)
    import azlocal.aca.appstore as appstore

    monkeypatch.setattr(appstore, "environment_of", lambda app: {"id": "env"})
    return heads, calls


def test_cron_scales_a_min_zero_revision_up_for_the_window_and_back(fake_engine):
    from azlocal.aca import system_logs

    heads, calls = fake_engine
    env_id = "/subscriptions/s/resourceGroups/g/providers/Microsoft.App/managedEnvironments/e"
    app = {"id": "/app", "name": "web", "type": "Microsoft.App/containerApps",
           "properties": {"managedEnvironmentId": env_id}}
    rev = {"name": "web--a", "properties": {"active": True, "template": {
        "scale": {"minReplicas": 0, "maxReplicas": 10, "rules": [_cron()]}}}}
    heads.append(_Head("deployed"))
    cron_scaling._revise(app, rev, datetime.datetime(2026, 1, 5, 8, 0, tzinfo=UTC))
    assert calls == [("start", 1, "cron")] and len(heads) == 2
    cron_scaling._revise(app, rev, datetime.datetime(2026, 1, 5, 9, 0, tzinfo=UTC))
    assert len(calls) == 1  # already at the desired count
    cron_scaling._revise(app, rev, datetime.datetime(2026, 1, 5, 18, 0, tzinfo=UTC))
    assert calls[1] == ("stop", "r1") and len(heads) == 0  # the cron replica first, then down to min 0
    cron_scaling._revise(app, rev, datetime.datetime(2026, 1, 5, 19, 0, tzinfo=UTC))
    assert len(calls) == 3  # nothing of the rule's left: nothing more to do
    reasons = [(e["Reason"], e["Msg"]) for e in system_logs.entries(env_id)]
    assert reasons[0][0] == "SuccessfulRescale" and "from 1 to 2" in reasons[0][1]
    assert "'office'" in reasons[0][1]
    assert reasons[1][0] == "KEDAScaleTargetDeactivated" and "from 2 to 0" in reasons[1][1]


def test_cron_never_goes_past_max_nor_below_min(fake_engine):
    heads, calls = fake_engine
    app = {"id": "/app", "name": "web", "type": "Microsoft.App/containerApps", "properties": {}}
    rule = _cron(dict(OFFICE, desiredReplicas="8"))
    rev = {"name": "web--a", "properties": {"active": True, "template": {
        "scale": {"minReplicas": 1, "maxReplicas": 3, "rules": [rule]}}}}
    heads.append(_Head("deployed"))
    cron_scaling._revise(app, rev, datetime.datetime(2026, 1, 5, 10, 0, tzinfo=UTC))
    assert len(heads) == 3
    cron_scaling._revise(app, rev, datetime.datetime(2026, 1, 5, 20, 0, tzinfo=UTC))
    assert [h.labels["azlocal.aca.replica"] for h in heads] == ["deployed"]
