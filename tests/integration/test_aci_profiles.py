"""az container container-group-profile on real Docker: profiles with revisions, groups created from a
revision (secure values included), az's errors and exit codes, nothing left behind by bad input."""

import subprocess

import pytest

from tests.integration import busybox

pytestmark = pytest.mark.integration

BASE = "azlocal/busybox:latest"
PROFILE = ("container", "container-group-profile")


@pytest.fixture
def rg(az):
    yield from busybox.resource_group(az, "prof-rg")


def _profile(az, *args):
    return az(*PROFILE, *args)


def _create_profile(az, name, value):
    r = _profile(az, "create", "-g", "prof-rg", "-n", name, "--image", BASE, "--command-line", "sleep 300",
                 "-e", f"PLAIN={value}", "--secure-environment-variables", f"HIDDEN=secret-{value}",
                 "--ip-address", "Public", "--ports", "8080", "--cpu", "0.5", "--memory", "0.5")
    assert r.code == 0, r.err
    return r.json()


def _printenv(az, group, container, variable):
    out = subprocess.run(["az", "container", "exec", "-g", "prof-rg", "-n", group, "--container-name", container,
                          "--exec-command", f"printenv {variable}"], env=az.env, capture_output=True, text=True,
                         stdin=subprocess.DEVNULL)
    return out.stdout.strip()


def test_profile_revisions_and_a_group_made_from_one(az, rg, home):
    first = _create_profile(az, "web-profile", "one")
    assert first["revision"] == 1
    assert first["type"] == "Microsoft.ContainerInstance/containerGroupProfiles"
    assert first["containers"][0]["image"] == BASE and first["ipAddress"]["type"] == "Public"
    assert first["containers"][0]["environmentVariables"][1] == {"name": "HIDDEN", "secureValue": None,
                                                                 "value": None}
    # a create on an existing profile is a new revision
    assert _create_profile(az, "web-profile", "two")["revision"] == 2
    shown = _profile(az, "show", "-g", "prof-rg", "-n", "web-profile").json()
    assert shown["revision"] == 2 and shown["containers"][0]["environmentVariables"][0]["value"] == "two"
    revisions = _profile(az, "list-revisions", "-g", "prof-rg", "-n", "web-profile").json()
    assert [(r["revision"], r["containers"][0]["environmentVariables"][0]["value"]) for r in revisions] == \
        [(1, "one"), (2, "two")]
    assert all(r["id"] == first["id"] for r in revisions)
    old = _profile(az, "show-revision", "-g", "prof-rg", "-n", "web-profile", "-r", "1").json()
    assert old["revision"] == 1 and old["containers"][0]["environmentVariables"][0]["value"] == "one"
    assert [p["name"] for p in _profile(az, "list", "-g", "prof-rg").json()] == ["web-profile"]
    assert "web-profile" in _profile(az, "list", "-g", "prof-rg", "-o", "table").out
    # a profile is a template: nothing runs
    assert az("container", "list", "-g", "prof-rg").json() == []
    assert b"secret-one" not in (home / "state.db").read_bytes()

    # a group from revision 1: its definition, its secure value, and the reference
    r = az("container", "create", "-g", "prof-rg", "-n", "from-one", "--container-group-profile-id", first["id"],
           "--container-group-profile-revision", "1")
    assert r.code == 0, r.err
    group = r.json()
    assert group["containerGroupProfile"]["id"] == first["id"]
    assert group["containerGroupProfile"]["revision"] == 1
    assert group["instanceView"]["state"] == "Running"
    assert [c["name"] for c in group["containers"]] == ["web-profile"]
    assert _printenv(az, "from-one", "web-profile", "PLAIN") == "one"
    assert _printenv(az, "from-one", "web-profile", "HIDDEN") == "secret-one"

    # revision 2, with the config map the request sets
    r = az("container", "create", "-g", "prof-rg", "-n", "from-two", "--container-group-profile-id", first["id"],
           "--container-group-profile-revision", "2", "--config-map", "mode=fast")
    assert r.code == 0, r.err
    assert r.json()["containers"][0]["configMap"] == {"keyValuePairs": {"mode": "fast"}}
    assert r.json()["containers"][0]["environmentVariables"][0]["value"] == "two"

    # deleting the profile leaves the group; its revisions are gone
    assert _profile(az, "delete", "-g", "prof-rg", "-n", "web-profile", "--yes").code == 0
    for args in (("show",), ("list-revisions",), ("show-revision", "-r", "1")):
        r = _profile(az, *args, "-g", "prof-rg", "-n", "web-profile")
        assert r.code == 3 and r.err.startswith("ERROR: "), r.err
    assert az("container", "show", "-g", "prof-rg", "-n", "from-one").code == 0


def test_profile_from_yaml(az, rg, tmp_path):
    (tmp_path / "p.yaml").write_text(
        "name: yaml-profile\nproperties:\n  containers:\n  - name: app\n    properties:\n"
        "      image: azlocal/busybox:latest\n      command: [sleep, '300']\n"
        "      livenessProbe: {exec: {command: ['true']}, periodSeconds: 7}\n  osType: Linux\n")
    r = _profile(az, "create", "-g", "prof-rg", "--file", str(tmp_path / "p.yaml"))
    assert r.code == 0, r.err
    doc = r.json()
    assert doc["name"] == "yaml-profile" and doc["revision"] == 1
    assert doc["containers"][0]["livenessProbe"]["periodSeconds"] == 7


def _nothing_made(az, home):
    assert az("container", "list", "-g", "prof-rg").json() == []
    assert _profile(az, "list", "-g", "prof-rg").json() == []
    ps = subprocess.run(["docker", "ps", "-aq", "--filter", f"label=azlocal.home={home.resolve()}"],
                        capture_output=True, text=True).stdout
    assert ps.split() == []


@pytest.mark.parametrize("args, code, message", [
    (("create", "-n", "no-image"), 1, "the --image argument is required"),
    (("create", "--image", BASE), 1, "the --name/-n argument is required"),
    (("create", "-n", "bad_name", "--image", BASE), 1, "(InvalidResourceName)"),
    (("create", "-n", "cpu", "--image", BASE, "--cpu", "99"), 1, "CPU request"),
    (("create", "-n", "ip", "--image", BASE, "--ip-address", "Somewhere"), 2, "--ip-address"),
    (("show", "-n", "absent"), 3, "was not found"),
    (("show-revision", "-n", "absent"), 2, "-r"),
])
def test_bad_profile_input_gets_azs_error_and_makes_nothing(az, rg, home, args, code, message):
    r = _profile(az, *args, "-g", "prof-rg")
    assert r.code == code and r.err.startswith(("ERROR: ", "usage: ")) and message in r.err, r.err
    _nothing_made(az, home)


@pytest.mark.parametrize("profile_id, revision, code, message", [
    ("/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/prof-rg/providers/"
     "Microsoft.ContainerInstance/containerGroupProfiles/absent", "1", 3, "was not found"),
    ("not-an-id", "1", 1, "is not a valid resource id"),
])
def test_group_from_a_missing_profile_is_refused(az, rg, home, profile_id, revision, code, message):
    r = az("container", "create", "-g", "prof-rg", "-n", "orphan", "--container-group-profile-id", profile_id,
           "--container-group-profile-revision", revision)
    assert r.code == code and message in r.err, r.err
    _nothing_made(az, home)


def test_group_from_a_missing_revision_is_refused(az, rg, home):
    profile = _create_profile(az, "one-rev", "x")
    r = az("container", "create", "-g", "prof-rg", "-n", "orphan", "--container-group-profile-id", profile["id"],
           "--container-group-profile-revision", "5")
    assert r.code == 3 and "The revision '5'" in r.err, r.err
    assert az("container", "list", "-g", "prof-rg").json() == []


def test_standby_pools_stay_refused_with_the_reason(az, rg, home):
    r = az("container", "create", "-g", "prof-rg", "-n", "pool", "--standby-pool-profile-id", "/x")
    assert r.code == 1 and "Microsoft.StandbyPool" in r.err, r.err
    _nothing_made(az, home)
