"""--ids with several resource ids, on commands that have it in az: one run per id, --query over the list."""

import pytest

pytestmark = pytest.mark.integration


def test_several_ids_run_once_each_and_query_the_list(az):
    assert az("group", "create", "-n", "ids-rg", "-l", "eastus", "-o", "none").code == 0
    try:
        ids = []
        for name in ("ids-env1", "ids-env2"):
            r = az("containerapp", "env", "create", "-n", name, "-g", "ids-rg", "-l", "eastus")
            assert r.code == 0, r.err
            ids.append(r.json()["id"])
        r = az("containerapp", "env", "show", "--ids", *ids, "--query", "[].name")
        assert r.code == 0, r.err
        assert r.json() == ["ids-env1", "ids-env2"]
        r = az("containerapp", "env", "show", "--ids", ids[0], "--query", "name", "-o", "tsv")
        assert r.out == "ids-env1\n"
        table = az("containerapp", "env", "show", "--ids", *ids, "-o", "table").out
        assert "ids-env1" in table and "ids-env2" in table
    finally:
        az("group", "delete", "-n", "ids-rg", "--yes")
