"""Issue 10, containerapp, on Docker: `create` twice is a PUT, revision names get a random suffix,
the termination grace period is the replicas' real SIGTERM-to-kill time, and --args/--command/
--env-vars/--min-replicas reach the containers."""

import re
import time

import pytest

from tests.integration import busybox

pytestmark = pytest.mark.integration


@pytest.fixture
def env(az):
    assert az("group", "create", "-n", "par-rg", "-l", "eastus", "-o", "none").code == 0
    r = az("containerapp", "env", "create", "-n", "par-env", "-g", "par-rg", "-l", "eastus", "--logs-destination",
           "none")
    assert r.code == 0, r.err
    yield r.json()
    az("group", "delete", "-n", "par-rg", "--yes")


def _image(tmp_path):
    ctx = busybox.write_context(tmp_path / "sleeper", ['CMD ["sleep", "3600"]'])
    return busybox.build(ctx, "azlocal-test/sleeper:v1")


def _replicas(az, name, revision=None):
    args = ["containerapp", "replica", "list", "-n", name, "-g", "par-rg"]
    r = az(*args, *(["--revision", revision] if revision else []))
    assert r.code == 0, r.err
    return r.json()


def _docker_inspect(container_id):
    import docker

    return docker.from_env().containers.get(container_id.replace("docker://", "")).attrs


def test_create_twice_is_a_put_with_a_new_random_revision(az, env, tmp_path):
    image = _image(tmp_path)
    r = az("containerapp", "create", "-n", "put-app", "-g", "par-rg", "--environment", "par-env", "--image", image,
           "--command", "sleep", "--args", "3600", "--env-vars", "GREETING=hi",
           "--min-replicas", "2", "--tgp", "3", "--scale-rule-name", "q", "--scale-rule-type", "azure-queue",
           "--srm", "queueName=jobs", "--secrets", "conn=x", "--sra", "connection=conn")
    assert r.code == 0, r.err
    first = r.json()
    rev1 = first["properties"]["latestRevisionName"]
    assert re.fullmatch(r"put-app--[a-z0-9]{7}", rev1), rev1
    template = first["properties"]["template"]
    assert template["terminationGracePeriodSeconds"] == 3
    assert template["scale"]["rules"][0]["custom"]["metadata"] == {"queueName": ""}  # az blanks metadata values
    replicas = _replicas(az, "put-app")
    assert len(replicas) == 2
    attrs = _docker_inspect(replicas[0]["properties"]["containers"][0]["containerId"])
    assert attrs["Config"]["Entrypoint"] == ["sleep"]
    assert attrs["Config"]["Cmd"] == ["3600"]
    assert "GREETING=hi" in attrs["Config"]["Env"]
    assert attrs["Config"]["Labels"]["azlocal.aca.grace"] == "3"

    # The same command again: a PUT that changes the template makes a new revision; the old one stops
    # after its grace period (sleep ignores SIGTERM as PID 1, so it takes the full 3 s).
    start = time.monotonic()
    r = az("containerapp", "create", "-n", "put-app", "-g", "par-rg", "--environment", "par-env", "--image", image,
           "--env-vars", "GREETING=again", "--tags", "k=v")
    assert r.code == 0, r.err
    assert time.monotonic() - start >= 3
    second = r.json()
    rev2 = second["properties"]["latestRevisionName"]
    assert rev2 != rev1 and re.fullmatch(r"put-app--[a-z0-9]{7}", rev2)
    assert second["tags"] == {"k": "v"}
    assert second["properties"]["configuration"]["secrets"] is None  # the PUT's definition has none
    assert second["properties"]["template"]["terminationGracePeriodSeconds"] is None
    assert _replicas(az, "put-app", rev1) == []
    names = [x["name"] for x in az("containerapp", "revision", "list", "-n", "put-app", "-g", "par-rg",
                                   "--all").json()]
    assert names == [rev1, rev2]

    # Unchanged template: no new revision.
    r = az("containerapp", "create", "-n", "put-app", "-g", "par-rg", "--environment", "par-env", "--image", image,
           "--env-vars", "GREETING=again")
    assert r.code == 0, r.err
    assert r.json()["properties"]["latestRevisionName"] == rev2

    # --revision-suffix still names the revision.
    r = az("containerapp", "update", "-n", "put-app", "-g", "par-rg", "--revision-suffix", "v3", "--tgp", "0")
    assert r.code == 0, r.err
    assert r.json()["properties"]["latestRevisionName"] == "put-app--v3"
