"""Issue 9, items 7 and 10, against the real daemon: a refused generic update leaves the registry
serving (no 500s), anonymous pull stays off on Basic, and bad names to acr commands get `ERROR:`
lines, never a traceback."""

import random
import urllib.error
import urllib.request

import pytest

from azlocal.core import settings

pytestmark = pytest.mark.integration


@pytest.fixture
def registry(az):
    name = f"azlval{random.randint(10000, 99999)}"
    assert az("group", "create", "-n", "val-rg", "-l", "eastus", "-o", "none").code == 0
    r = az("acr", "create", "-n", name, "-g", "val-rg", "--sku", "Basic", "-o", "none")
    assert r.code == 0, r.err
    yield name
    az("group", "delete", "-n", "val-rg", "--yes")


def _v2_status(name, path="/v2/"):
    """The registry's answer to an anonymous request, by Host header, on the daemon's port."""
    request = urllib.request.Request(f"http://{settings.daemon_host()}:{settings.http_port()}{path}",
                                     headers={"Host": f"{name}.azurecr.io"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as ex:
        return ex.code


def _no_traceback(r):
    assert "Traceback" not in r.err and "unexpected error" not in r.err, r.err


def test_refused_generic_updates_leave_the_registry_serving(az, registry):
    assert _v2_status(registry) == 401
    before = az("acr", "show", "-n", registry).json()
    for args in (["--set", "anonymousPullEnabled=true"], ["--set", "sku.name=Bogus"], ["--set", "sku=null"],
                 ["--set", "adminUserEnabled=maybe"], ["--set", "policies.exportPolicy=1"]):
        r = az("acr", "update", "-n", registry, *args)
        _no_traceback(r)
        assert r.code == 1, (args, r)
    assert az("acr", "show", "-n", registry).json() == before
    # Still Basic, still no anonymous pull: the catalog needs a token, nothing answers 500.
    assert _v2_status(registry) == 401
    assert _v2_status(registry, "/v2/_catalog") == 401
    assert _v2_status(registry, "/v2/x/manifests/latest") == 401
    # A good SKU in any casing is stored canonically and the registry keeps serving.
    r = az("acr", "update", "-n", registry, "--set", "sku.name=premium", "--query", "sku")
    assert r.code == 0 and r.json() == {"name": "Premium", "tier": "Premium"}
    names = az("acr", "show-usage", "-n", registry, "--query", "value[].name").json()
    assert names == ["Size", "Webhooks", "Geo-replications", "IPRules", "VNetRules", "PrivateEndpointConnections",
                     "ScopeMaps", "Tokens"]
    assert _v2_status(registry) == 401


@pytest.mark.parametrize("args", [
    ["acr", "import", "-n", "{r}", "--source", ":::"],
    ["acr", "import", "-n", "{r}", "--source", "hello-world", "-t", "Bad::Tag"],
    ["acr", "repository", "show-tags", "-n", "{r}", "--repository", "../../etc"],
    ["acr", "repository", "show", "-n", "{r}", "--image", ":::"],
    ["acr", "repository", "delete", "-n", "{r}", "--image", ":::", "--yes"],
    ["acr", "repository", "untag", "-n", "{r}", "--image", ":::"],
    ["acr", "manifest", "show", "-r", "{r}", "-n", "::"],
    ["acr", "manifest", "list-metadata", "-r", "{r}", "-n", "../x"],
    ["acr", "manifest", "delete", "-r", "{r}", "-n", "x@sha256:zz", "--yes"],
    ["acr", "repository", "list", "-n", "{r}", "--query", "nosuchfn(@)"],
])
def test_bad_names_to_acr_commands_are_error_lines(az, registry, args):
    r = az(*[a.replace("{r}", registry) for a in args])
    _no_traceback(r)
    assert r.code in (1, 2, 3), r
    assert r.err.startswith(("ERROR:", "WARNING:")), r.err
