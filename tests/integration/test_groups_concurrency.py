"""Many `az` processes at once on one state store: nothing lost, nothing locked."""

from concurrent.futures import ThreadPoolExecutor

import pytest

pytestmark = pytest.mark.integration


def test_16_parallel_creates_all_succeed(az):
    with ThreadPoolExecutor(16) as pool:
        results = list(pool.map(lambda i: az("group", "create", "-n", f"rg{i}", "-l", "eastus", "-o", "none"),
                                range(16)))
    assert [r.code for r in results] == [0] * 16, [r.err for r in results if r.code]
    assert not any("locked" in r.err for r in results)
    names = az("group", "list", "--query", "[].name").json()
    assert sorted(names) == sorted(f"rg{i}" for i in range(16))


def test_16_parallel_tag_updates_lose_none(az):
    assert az("group", "create", "-n", "shared", "-l", "eastus", "-o", "none").code == 0
    with ThreadPoolExecutor(16) as pool:
        results = list(pool.map(
            lambda i: az("group", "update", "-n", "shared", "--set", f"tags.k{i}=v{i}", "-o", "none"), range(16)))
    assert [r.code for r in results] == [0] * 16, [r.err for r in results if r.code]
    tags = az("group", "show", "-n", "shared", "--query", "tags").json()
    assert tags == {f"k{i}": f"v{i}" for i in range(16)}


def test_two_homes_are_isolated(az, tmp_path):
    assert az("group", "create", "-n", "mine", "-l", "eastus", "-o", "none").code == 0
    import os
    import subprocess

    other = dict(az.env, AZLOCAL_HOME=str(tmp_path / "other"))
    out = subprocess.run(["az", "group", "list", "--query", "length(@)"], env=other, capture_output=True, text=True)
    assert out.stdout.strip() == "0"
    assert os.path.exists(tmp_path / "other" / "state.db")
