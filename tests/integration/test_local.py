"""azlocal status and reset against the real Docker Engine."""

import pytest

pytestmark = pytest.mark.integration


def test_status_reports_home_and_docker(az, home):
    r = az("local", "status")
    assert r.code == 0, r.err
    doc = r.json()
    assert doc["home"] == str(home)
    assert doc["docker"]["reachable"] is True


def test_azlocal_entry_point_maps_status(az, bin_dir, home):
    import subprocess

    out = subprocess.run([str(bin_dir / "azlocal"), "status", "--query", "home", "-o", "tsv"],
                         env=az.env, capture_output=True, text=True)
    assert out.stdout.strip() == str(home)


def test_reset_removes_labelled_objects_and_state(az, home):
    from azlocal.platform.engine import labels
    from azlocal.platform.engine.docker_client import client

    az("group", "create", "-n", "rg1", "-l", "eastus", "-o", "none")
    docker = client()
    docker.networks.create("azlocal-test-reset", labels=labels.labels_for(group="rg1"))
    other = docker.networks.create("azlocal-test-unrelated", labels={"azlocal.home": "/somewhere/else"})
    try:
        r = az("local", "reset", "--yes")
        assert r.code == 0, r.err
        assert [n.name for n in docker.networks.list(names=["azlocal-test-reset"])] == []
        assert [n.name for n in docker.networks.list(names=["azlocal-test-unrelated"])] == ["azlocal-test-unrelated"]
        assert az("group", "list").json() == []
    finally:
        other.remove()
        for n in docker.networks.list(names=["azlocal-test-reset"]):
            n.remove()


def test_group_delete_removes_the_groups_labelled_objects(az, home):
    from azlocal.platform import cleanup
    from azlocal.platform.engine import labels
    from azlocal.platform.engine.docker_client import client

    az("group", "create", "-n", "rg1", "-l", "eastus", "-o", "none")
    docker = client()
    network = docker.networks.create("azlocal-test-groupdel", labels=labels.labels_for(group="rg1"))
    # A resource row in the group, of a type no cleaner knows, stands for a later service's resource.
    from azlocal.platform.store import Store

    s = Store()
    with s.transaction():
        s.put({"id": "/subscriptions/x/resourceGroups/rg1/providers/Microsoft.Fake/things/t1",
               "name": "t1", "type": "Microsoft.Fake/things"})
    s.close()
    assert "microsoft.fake/things" not in cleanup.CLEANERS
    try:
        assert az("group", "delete", "-n", "rg1", "--yes").code == 0
        assert docker.networks.list(names=["azlocal-test-groupdel"]) == []
        assert Store().list() == []
    finally:
        for n in docker.networks.list(names=["azlocal-test-groupdel"]):
            n.remove()
        del network
