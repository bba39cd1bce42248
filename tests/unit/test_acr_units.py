"""The pure parts of az acr's control plane, table-driven: cron and timer triggers, image references and
Dockerfile bases, key=value arguments, quick-run argument rules, registry names, table formats."""

from datetime import datetime, timezone

import pytest

from azlocal.acr import _format, cron, registries, repositories, run_options, run_steps, runs, tasks
from azlocal.acr._console import render
from azlocal.acr.custom_runs import _values
from azlocal.core.errors import AzLocalError, ValidationError


@pytest.mark.parametrize("expression", ["* * * * *", "0 12 * * 1-5", "*/15 0-6 1,15 * 0", "59 23 31 12 6"])
def test_valid_cron_expressions_are_accepted(expression):
    cron.check_cron(expression)


@pytest.mark.parametrize("expression", ["* * * *", "* * * * * *", "60 * * * *", "* 24 * * *", "* * 0 * *",
                                        "* * * 13 *", "* * * * 7", "*/0 * * * *", "a * * * *", "5-70 * * * *"])
def test_invalid_cron_expressions_are_refused(expression):
    with pytest.raises(ValidationError, match="is not a valid cron expression"):
        cron.check_cron(expression)


# 2026-12-06 is a Sunday (cron weekday 0).
@pytest.mark.parametrize("expression, when, due", [
    ("* * * * *", (2026, 12, 6, 10, 7), True),
    ("7 10 * * *", (2026, 12, 6, 10, 7), True),
    ("8 10 * * *", (2026, 12, 6, 10, 7), False),
    ("*/5 * * * *", (2026, 12, 6, 10, 10), True),
    ("*/5 * * * *", (2026, 12, 6, 10, 11), False),
    ("0 0 * * 0", (2026, 12, 6, 0, 0), True),
    ("0 0 * * 1-5", (2026, 12, 6, 0, 0), False),
    ("0 0 * * 1", (2026, 12, 7, 0, 0), True),
    ("30 9 1,15 * *", (2026, 12, 15, 9, 30), True),
    ("30 9 1,15 * *", (2026, 12, 16, 9, 30), False),
    ("0 0 1 1 *", (2027, 1, 1, 0, 0), True),
])
def test_cron_matches_minute_hour_day_month_and_weekday(expression, when, due):
    assert cron.cron_matches(expression, datetime(*when, tzinfo=timezone.utc)) is due


@pytest.mark.parametrize("schedule, timers", [
    (None, None),
    ([], None),
    (["0 * * * *"], [("t1", "0 * * * *")]),
    (["nightly:0 2 * * *"], [("nightly", "0 2 * * *")]),
    (["0 * * * *", "weekly:0 0 * * 0"], [("t1", "0 * * * *"), ("weekly", "0 0 * * 0")]),
    (["my timer:0 2 * * *"], None),  # a name with a space is no name: the whole item is the (bad) cron
])
def test_schedule_items_become_named_timers(schedule, timers):
    if schedule and timers is None:
        with pytest.raises(ValidationError):
            tasks._timers(schedule)
        return
    got = tasks._timers(schedule)
    assert (None if got is None else [(t["name"], t["schedule"]) for t in got]) == timers
    assert all(t["status"] == "Enabled" for t in got or [])


@pytest.mark.parametrize("timeout, ok", [(299, False), (300, True), (3600, True), (28800, True), (28801, False),
                                         (None, True)])
def test_task_timeouts_are_bounded_as_acr_bounds_them(timeout, ok):
    if ok:
        tasks._check_timeout(timeout)
    else:
        with pytest.raises(ValidationError, match="between 300 and 28800"):
            tasks._check_timeout(timeout)


@pytest.mark.parametrize("image, repo, tag", [
    ("hello", "hello", "latest"),
    ("hello:v1", "hello", "v1"),
    ("localhost:5000/app", "localhost:5000/app", "latest"),
    ("localhost:5000/app:2", "localhost:5000/app", "2"),
    ("myreg.azurecr.io/team/app:1.0", "myreg.azurecr.io/team/app", "1.0"),
    ("app@sha256:" + "ab" * 32, "app", "sha256:" + "ab" * 32),
    ("myreg.azurecr.io/app:1@sha256:" + "ab" * 32, "myreg.azurecr.io/app", "sha256:" + "ab" * 32),
])
def test_image_references_split_into_repository_and_tag(image, repo, tag):
    assert run_steps.split_tag(image) == (repo, tag)


@pytest.mark.parametrize("dockerfile, args, bases", [
    ("FROM alpine\n", [], ["alpine"]),
    ("FROM golang AS build\nFROM build\nFROM alpine:3\n", [], ["golang", "alpine:3"]),
    ("FROM scratch\n", [], []),
    ("ARG V=3.19\nFROM alpine:${V}\n", [], ["alpine:3.19"]),
    ("ARG V=3.19\nFROM alpine:$V\n", ["V=3.20"], ["alpine:3.20"]),
    ("from busybox as base\nFROM base\n", [], ["busybox"]),
])
def test_dockerfile_bases_skip_stages_and_scratch_and_apply_args(tmp_path, dockerfile, args, bases):
    path = tmp_path / "Dockerfile"
    path.write_text(dockerfile)
    assert run_steps.base_images(str(path), args) == bases


@pytest.mark.parametrize("items, expected", [
    ([], {}),
    (["a=1", "b=x=y"], {"a": "1", "b": "x=y"}),
    (["a=1", "a=2"], {"a": "2"}),
    (["bare", "c="], {"c": ""}),
])
def test_build_arguments_with_values(items, expected):
    assert run_steps.build_arg_values(items) == expected


@pytest.mark.parametrize("set_values, set_secrets, expected", [
    (None, None, {}),
    (["a=1"], None, {"a": "1"}),
    (["a=1", "bare"], ["s=2"], {"a": "1", "s": "2"}),
    (["a=1"], ["a=2"], {"a": "2"}),  # a secret of the same name wins, as it comes later
])
def test_run_values_keep_only_named_values(set_values, set_secrets, expected):
    assert _values(set_values, set_secrets) == expected


@pytest.mark.parametrize("items, expected", [
    (None, []),
    (["a=1", "bare", "b=x=y"], [("a", "1"), ("bare", ""), ("b", "x=y")]),
])
def test_task_entries_pairs_keep_bare_names(items, expected):
    assert run_options.pairs(items) == expected


@pytest.mark.parametrize("kwargs, message", [
    (dict(cmd="echo", file="acb.yaml"), "either --cmd myCommand /dev/null or -f myFile mySourceLocation, but not both"),
    (dict(), "Please provide --cmd myCommand /dev/null, or -f myFile mySourceLocation."),
    (dict(options=dict(agent_pool="pool1")), "Agent pools are not available offline"),
])
def test_quick_run_argument_rules(kwargs, message):
    with pytest.raises(AzLocalError, match=message.replace("(", r"\(").replace(")", r"\)")):
        runs.quick_run("myreg1", "/dev/null", **kwargs)


@pytest.mark.parametrize("name, result", [
    ("myreg1", "myreg1"),
    ("MyReg01", "MyReg01"),
    ("myreg1.azurecr.io", "myreg1"),
    ("myreg1-abc123.azurecr.io", "myreg1"),
    ("abcd", None),
    ("a" * 51, None),
    ("my-reg1", None),
    ("my_reg1", None),
    ("", None),
])
def test_registry_name_rules(name, result):
    if result is None:
        with pytest.raises(ValidationError, match="alpha numeric characters"):
            registries.normalise_name(name)
    else:
        assert registries.normalise_name(name) == result


@pytest.mark.parametrize("registry, name, positional, only_repo, expected", [
    ("r", "app:v1", None, False, ("r", "app", "v1")),
    ("r", "app", None, False, ("r", "app", "latest")),
    (None, None, "myreg.azurecr.io/app:v2", False, ("myreg", "app", "v2")),
    (None, None, "myreg.azurecr.io/team/app@sha256:" + "a" * 64, False, ("myreg", "team/app", "sha256:" + "a" * 64)),
    ("r", "app", None, True, ("r", "app", None)),
])
def test_artifact_specifiers(registry, name, positional, only_repo, expected):
    assert repositories.parse_artifact(registry, name, positional, repository_only=only_repo) == expected


@pytest.mark.parametrize("registry, name, positional, only_repo, message", [
    (None, "app", None, False, "Please specify the artifact"),
    ("r", None, None, False, "Please specify the artifact"),
    ("r", "app:v1", None, True, "should not include a tag or digest"),
])
def test_artifact_specifier_errors(registry, name, positional, only_repo, message):
    with pytest.raises(AzLocalError, match=message):
        repositories.parse_artifact(registry, name, positional, repository_only=only_repo)


RUN = {"runId": "ca1", "task": None, "platform": {"os": "linux"}, "status": "Succeeded",
       "startTime": "2026-12-06T10:00:00.123456+00:00", "finishTime": "2026-12-06T11:02:03.5+00:00"}


@pytest.mark.parametrize("run, trigger, duration", [
    (RUN, "Manual", "01:02:03"),
    (dict(RUN, timerTrigger={"timerTriggerName": "t1"}), "Timer", "01:02:03"),
    (dict(RUN, imageUpdateTrigger={"id": "x"}), "Image Update", "01:02:03"),
    (dict(RUN, finishTime=None), "Manual", ""),
])
def test_run_table_trigger_and_duration(run, trigger, duration):
    for result in (run, [run, run]):
        rows = _format.run_table(result)
        assert len(rows) == (1 if isinstance(result, dict) else 2)
        assert list(rows[0]) == ["RUN ID", "TASK", "PLATFORM", "STATUS", "TRIGGER", "STARTED", "DURATION"]
        assert (rows[0]["TRIGGER"], rows[0]["DURATION"], rows[0]["STARTED"]) == (trigger, duration,
                                                                                 "2026-12-06T10:00:00Z")


@pytest.mark.parametrize("trigger, shown", [
    ({}, ""),
    ({"baseImageTrigger": {"status": "Enabled"}}, "BASE_IMAGE"),
    ({"baseImageTrigger": {"status": "Disabled"}, "timerTriggers": [{}]}, "TIMER"),
    ({"baseImageTrigger": {"status": "Enabled"}, "timerTriggers": [{}]}, "BASE_IMAGE, TIMER"),
])
def test_task_table_lists_enabled_triggers(trigger, shown):
    task = {"name": "build1", "platform": {"os": "linux"}, "status": "Enabled", "step": {"contextPath": "/src"},
            "trigger": trigger}
    assert _format.task_table(task)[0]["TRIGGERS"] == shown


@pytest.mark.parametrize("kind, text, out, err", [
    ("log", "2026/12/06 10:00:00 step\n", "2026/12/06 10:00:00 step\n", ""),
    ("log", "partial", "partial", ""),
    ("status", "Queued a build with ID: ca1", "", "Queued a build with ID: ca1\n"),
])
def test_run_progress_renders_logs_on_stdout_and_status_on_stderr(capsys, kind, text, out, err):
    render(kind, text)
    assert capsys.readouterr() == (out, err)


@pytest.mark.parametrize("base, registry, repository, tag", [
    ("alpine", "registry.hub.docker.com", "alpine", "latest"),
    ("alpine:3.19", "registry.hub.docker.com", "alpine", "3.19"),
    ("myreg1.azurecr.io/base/bb:v1", "myreg1.azurecr.io", "base/bb", "v1"),
    ("localhost:5000/app", "localhost:5000", "app", "latest"),
])
def test_task_base_image_dependencies(base, registry, repository, tag):
    dep = tasks._dependency(base, "RunTime")
    assert (dep["registry"], dep["repository"], dep["tag"], dep["type"]) == (registry, repository, tag, "RunTime")


@pytest.mark.parametrize("yes, note, warned, deleted", [
    (True, "This operation will delete the manifest", True, True),
    (True, None, False, True),
    (False, "This operation will delete the manifest", False, False),  # no terminal to ask: cancelled
])
def test_deletions_are_confirmed_in_the_command_layer(monkeypatch, yes, note, warned, deleted):
    from azlocal.acr import custom_repositories

    calls, warnings = [], []
    monkeypatch.setattr(custom_repositories.logger, "warning", warnings.append)
    monkeypatch.setattr("knack.prompting.verify_is_a_tty", lambda: (_ for _ in ()).throw(
        __import__("knack.prompting", fromlist=["NoTTYException"]).NoTTYException()))
    deletion = repositories.Deletion("Are you sure?", note, lambda: calls.append("deleted"))
    if deleted:
        custom_repositories._confirmed(deletion, yes)
    else:
        with pytest.raises(AzLocalError, match="Operation cancelled"):
            custom_repositories._confirmed(deletion, yes)
    assert (bool(warnings), calls == ["deleted"]) == (warned, deleted)
