"""Issue 9, item 10: bad input to acr commands gets an `ERROR:` line and changes nothing (no daemon:
registries are seeded in the store; each command runs through the real CLI in-process)."""

import pytest

from tests.unit.test_validation_hardening import _no_traceback, _seed_registry


@pytest.fixture
def acr(cli):
    assert cli("group", "create", "-n", "rg", "-l", "eastus").code == 0
    _seed_registry("basicreg1", "Basic")
    _seed_registry("premreg1", "Premium")
    return cli


@pytest.mark.parametrize("source", [":::", "", "/x", "x/", "x:", "../x", "a:b:c", "UPPER/case", "a" * 300,
                                    "reg.azurecr.io/app@sha256:short", "app:" + "t" * 200])
def test_import_refuses_a_source_that_is_not_an_image_reference(acr, source):
    r = acr("acr", "import", "-n", "basicreg1", "--source", source)
    _no_traceback(r)
    assert r.code == 1, r
    assert "Source cannot be found. Please provide a valid image and source registry or a fully qualified " \
           "source." in r.err


@pytest.mark.parametrize("target", ["App:v1", "../x", "a:b:c", "x:", ""])
def test_import_refuses_a_target_that_is_not_an_image_name(acr, target):
    r = acr("acr", "import", "-n", "basicreg1", "--source", "hello-world", "-t", target)
    _no_traceback(r)
    assert r.code == 1, r
    assert "is not a valid image name" in r.err


@pytest.mark.parametrize("uri", ["ftp://x", "http://", "http://[", "http://x:abc", "x"])
def test_webhook_update_checks_the_uri_as_create_does(acr, uri):
    assert acr("acr", "webhook", "create", "-r", "basicreg1", "-n", "hook1", "--uri", "http://x",
               "--actions", "push").code == 0
    before = acr("acr", "webhook", "get-config", "-r", "basicreg1", "-n", "hook1").json()
    r = acr("acr", "webhook", "update", "-r", "basicreg1", "-n", "hook1", "--uri", uri)
    _no_traceback(r)
    assert r.code == 1 and "is not a valid http(s) URI" in r.err
    r = acr("acr", "webhook", "create", "-r", "basicreg1", "-n", "hook2", "--uri", uri, "--actions", "push")
    assert r.code == 1 and "is not a valid http(s) URI" in r.err
    assert acr("acr", "webhook", "get-config", "-r", "basicreg1", "-n", "hook1").json() == before
    assert [h["name"] for h in acr("acr", "webhook", "list", "-r", "basicreg1").json()] == ["hook1"]


def test_webhook_names_are_ascii_alphanumeric(acr):
    r = acr("acr", "webhook", "create", "-r", "basicreg1", "-n", "ｈｏｏｋ１", "--uri", "http://x", "--actions", "push")
    assert r.code == 1 and "Webhook names must be between 5 and 50 alphanumeric characters." in r.err


@pytest.mark.parametrize("name", ["../x", "a" * 51, "west-us", "wus"])
def test_replication_names_follow_azure_s_rule(acr, name):
    r = acr("acr", "replication", "create", "-r", "premreg1", "-l", "westus", "-n", name)
    _no_traceback(r)
    assert r.code == 1 and "Replication names must be between 5 and 50 alphanumeric characters." in r.err
    assert acr("acr", "replication", "list", "-r", "premreg1").json() == []


@pytest.mark.parametrize("timeout", ["-5", "0", "299", "28801", "99999999"])
def test_task_timeouts_are_bounded_as_azure_bounds_them(acr, timeout):
    r = acr("acr", "task", "create", "-r", "basicreg1", "-n", "task1", "--cmd", "echo", "-c", "/dev/null",
            "--timeout", timeout)
    assert r.code == 1 and "between 300 and 28800 seconds" in r.err
    assert acr("acr", "task", "list", "-r", "basicreg1").json() == []
    assert acr("acr", "task", "create", "-r", "basicreg1", "-n", "task1", "--cmd", "echo", "-c", "/dev/null").code == 0
    r = acr("acr", "task", "update", "-r", "basicreg1", "-n", "task1", "--timeout", timeout)
    assert r.code == 1 and "between 300 and 28800 seconds" in r.err
    assert acr("acr", "task", "show", "-r", "basicreg1", "-n", "task1", "--query", "timeout").json() == 3600
    r = acr("acr", "task", "update", "-r", "basicreg1", "-n", "task1", "--timeout", "600")
    assert r.code == 0 and r.json()["timeout"] == 600
