"""ACR cache rules with the real docker CLI (pull-through from what this machine has), credential sets and
connected registries recorded, and az acr import complete (resource id, digest, --force, exports disabled)."""

import random
import subprocess

import pytest

from tests.integration import busybox

pytestmark = pytest.mark.integration


def _registry(az, group, sku="Basic", *extra):
    name = f"azlc{random.randint(100000, 999999)}"
    r = az("acr", "create", "-n", name, "-g", group, "--sku", sku, "-o", "none", *extra)
    assert r.code == 0, r.err
    return name


def _docker(*args):
    return subprocess.run(["docker", *args], capture_output=True, text=True)


def _push(registry, tmp_path, repo_tag, marker):
    image = f"{registry}.azurecr.io/{repo_tag}"
    context = busybox.write_context(tmp_path / marker, [f"LABEL azlocal.test.marker={marker}"])
    busybox.build(context, image)
    push = _docker("push", image)
    _docker("rmi", image)
    assert push.returncode == 0, push.stderr
    return image


def test_cache_rules_pull_through_and_refusals(az, tmp_path):
    assert az("group", "create", "-n", "cache-rg", "-l", "eastus", "-o", "none").code == 0
    registry = _registry(az, "cache-rg")
    server = f"{registry}.azurecr.io"
    upstream = f"azlocal-cache-upstream-{random.randint(1000, 9999)}"
    busybox.build(busybox.write_context(tmp_path / "up", ["LABEL azlocal.test.marker=upstream"]), f"{upstream}:v1")
    pulled = []
    try:
        # Bad input: az's errors, nothing created.
        for args, text in (
            (["-n", "bad_name", "-s", f"docker.io/library/{upstream}", "-t", "app"], "cache rule name"),
            (["-n", "rule1", "-s", upstream, "-t", "app"], "source repository"),
            (["-n", "rule1", "-s", "docker.io/library/*", "-t", "app"], "wildcard"),
            (["-n", "rule1", "-s", f"docker.io/library/{upstream}", "-t", "App"], "target repository"),
            (["-n", "rule1", "-s", f"docker.io/library/{upstream}", "-t", "app", "-c", "mycreds"], "credential set"),
        ):
            r = az("acr", "cache", "create", "-r", registry, *args)
            assert r.code == 1 and text in r.err, (args, r.err)
        assert az("acr", "cache", "list", "-r", registry).json() == []

        rule = az("acr", "cache", "create", "-r", registry, "-n", "hub-rule", "-s", f"docker.io/library/{upstream}",
                  "-t", "cached/app").json()
        assert rule["sourceRepository"] == f"docker.io/library/{upstream}" and rule["targetRepository"] == "cached/app"
        assert rule["credentialSetResourceId"] is None and rule["provisioningState"] == "Succeeded"
        assert rule["type"] == "Microsoft.ContainerRegistry/registries/cacheRules"
        assert az("acr", "cache", "show", "-r", registry, "-n", "hub-rule").json()["id"] == rule["id"]
        r = az("acr", "cache", "create", "-r", registry, "-n", "hub-rule2", "-s", "docker.io/library/other",
               "-t", "cached/app")
        assert r.code == 1 and "overlaps" in r.err

        assert az("acr", "login", "-n", registry).code == 0
        # A miss fetches the engine's docker.io/library/<upstream>:v1 into the registry ...
        image = f"{server}/cached/app:v1"
        pulled.append(image)
        pull = _docker("pull", image)
        assert pull.returncode == 0, pull.stderr
        assert az("acr", "repository", "show-tags", "-n", registry, "--repository", "cached/app").json() == ["v1"]
        inspect = _docker("inspect", "-f", '{{index .Config.Labels "azlocal.test.marker"}}', image)
        assert inspect.stdout.strip() == "upstream"
        # ... and the next pull is served from the cache: the upstream is gone from the engine.
        _docker("rmi", image)
        _docker("rmi", f"{upstream}:v1")
        pull = _docker("pull", image)
        assert pull.returncode == 0, pull.stderr

        # Wildcard rule onto another registry of this home.
        other = _registry(az, "cache-rg")
        assert az("acr", "login", "-n", other).code == 0
        _push(other, tmp_path, "team/web:v2", "other-registry")
        assert az("acr", "cache", "create", "-r", registry, "-n", "mirror", "-s", f"{other}.azurecr.io/*",
                  "-t", "mirror/*", "-o", "none").code == 0
        r = az("acr", "cache", "create", "-r", registry, "-n", "mirror2", "-s", f"{other}.azurecr.io/team/*",
               "-t", "mirror/team/*")
        assert r.code == 1 and "overlaps" in r.err
        image = f"{server}/mirror/team/web:v2"
        pulled.append(image)
        pull = _docker("pull", image)
        assert pull.returncode == 0, pull.stderr
        inspect = _docker("inspect", "-f", '{{index .Config.Labels "azlocal.test.marker"}}', image)
        assert inspect.stdout.strip() == "other-registry"
        # ... by digest too: the same manifest is copied, so the digest is the upstream's.
        _push(other, tmp_path, "team/api:v3", "by-digest")
        digest = az("acr", "repository", "show", "-n", other, "--image", "team/api:v3", "--query", "digest",
                    "-o", "tsv").out.strip()
        image = f"{server}/mirror/team/api@{digest}"
        pulled.append(image)
        pull = _docker("pull", image)
        assert pull.returncode == 0, pull.stderr
        assert az("acr", "repository", "show", "-n", registry, "--image", f"mirror/team/api@{digest}",
                  "--query", "digest", "-o", "tsv").out.strip() == digest
        assert az("acr", "repository", "show-tags", "-n", registry, "--repository", "mirror/team/api").json() == []

        # A course stand-in as the upstream.
        assert az("acr", "cache", "create", "-r", registry, "-n", "mcr-hello", "-s", "mcr.microsoft.com/hello-world",
                  "-t", "hello-world", "-o", "none").code == 0
        image = f"{server}/hello-world:latest"
        pulled.append(image)
        pull = _docker("pull", image)
        assert pull.returncode == 0, pull.stderr
        run = _docker("run", "--rm", image)
        assert run.returncode == 0 and run.stdout.strip(), run.stderr

        # An upstream this machine does not have: the pull fails saying so.
        assert az("acr", "cache", "create", "-r", registry, "-n", "missing", "-s",
                  "docker.io/library/azlocal-nowhere-to-be-found", "-t", "nowhere", "-o", "none").code == 0
        pull = _docker("pull", f"{server}/nowhere:latest")
        assert pull.returncode != 0 and "cannot be fetched offline" in pull.stderr, pull.stderr
        assert "nowhere" not in az("acr", "repository", "list", "-n", registry).json()

        # update and delete
        r = az("acr", "cache", "update", "-r", registry, "-n", "hub-rule")
        assert r.code == 1 and "at least one parameter" in r.err
        assert az("acr", "cache", "update", "-r", registry, "-n", "hub-rule", "--remove-cred-set").json()[
            "credentialSetResourceId"] is None
        assert az("acr", "cache", "delete", "-r", registry, "-n", "missing", "-y").code == 0
        r = az("acr", "cache", "show", "-r", registry, "-n", "missing")
        assert r.code == 3 and "ResourceNotFound" in r.err
        assert sorted(x["name"] for x in az("acr", "cache", "list", "-r", registry).json()) == [
            "hub-rule", "mcr-hello", "mirror"]

        # Credential sets are made with their own identity (test_acr_credential_sets.py pulls through with one).
        r = az("acr", "credential-set", "create", "-r", registry, "-n", "hubcreds", "-l", "docker.io",
               "-u", "https://myvault.vault.azure.net/secrets/user", "-p", "https://myvault.vault.azure.net/secrets/pw")
        assert r.code == 0 and r.json()["identity"]["type"] == "SystemAssigned", r.err
        assert [c["name"] for c in az("acr", "credential-set", "list", "-r", registry).json()] == ["hubcreds"]
        assert az("acr", "credential-set", "delete", "-r", registry, "-n", "hubcreds", "-y").code == 0
        assert az("acr", "credential-set", "show", "-r", registry, "-n", "hubcreds").code == 3

        # Connected registries are recorded (no appliance runs offline), after az's own argument checks.
        r = az("acr", "connected-registry", "create", "-r", registry, "-n", "edge", "--repository", "app")
        assert r.code == 1 and "at least 5 characters" in r.err
        r = az("acr", "connected-registry", "create", "-r", registry, "-n", "myedge")
        assert r.code == 1 and "--sync-token or --repository" in r.err
        r = az("acr", "connected-registry", "create", "-r", registry, "-n", "myedge", "--repository", "app", "-y")
        assert r.code == 1 and "Premium SKU" in r.err
        assert az("acr", "update", "-n", registry, "--sku", "Premium", "-o", "none").code == 0
        r = az("acr", "connected-registry", "create", "-r", registry, "-n", "myedge", "--repository", "app", "-y")
        assert r.code == 0 and "no connected registry runs or syncs locally" in r.err, r.err
        assert r.json()["connectionState"] == "Offline"
        assert az("acr", "show", "-n", registry).json()["dataEndpointEnabled"] is True
        assert [c["name"] for c in az("acr", "connected-registry", "list", "-r", registry).json()] == ["myedge"]
        r = az("acr", "artifact-streaming", "update", "-n", registry, "--repository", "cached/app",
               "--enable-streaming", "true")
        assert r.code == 1 and "Artifact streaming is not available offline" in r.err

        # Replication update: tags and global endpoint routing, on the replication's document.
        assert az("acr", "replication", "create", "-r", registry, "-l", "westeurope", "-o", "none").code == 0
        rep = az("acr", "replication", "update", "-r", registry, "-n", "westeurope", "--global-endpoint-routing",
                 "false", "--tags", "team=web").json()
        assert rep["regionEndpointEnabled"] is False and rep["tags"] == {"team": "web"}
        r = az("acr", "replication", "update", "-r", registry, "-n", "westeurope", "--set",
               "regionEndpointEnabled=maybe")
        assert r.code == 1
        shown = az("acr", "replication", "show", "-r", registry, "-n", "westeurope").json()
        assert shown["regionEndpointEnabled"] is False and shown["location"] == "westeurope"
        assert az("acr", "replication", "update", "-r", registry, "-n", "nowhere", "--tags", "a=b").code == 3
        assert az("acr", "connected-registry", "show", "-r", registry, "-n", "myedge").json()["mode"] == "ReadOnly"
        assert az("acr", "connected-registry", "delete", "-r", registry, "-n", "myedge", "--cleanup", "-y").code == 0
        assert az("acr", "connected-registry", "show", "-r", registry, "-n", "myedge").code == 3
        assert az("acr", "token", "show", "-r", registry, "-n", "myedge").code == 3
    finally:
        for image in pulled:
            _docker("rmi", image)
        _docker("rmi", f"{upstream}:v1")
        az("group", "delete", "-n", "cache-rg", "--yes")


def test_import_complete(az, tmp_path):
    for group in ("imp-a-rg", "imp-b-rg"):
        assert az("group", "create", "-n", group, "-l", "eastus", "-o", "none").code == 0
    try:
        source = _registry(az, "imp-a-rg")
        target = _registry(az, "imp-b-rg")
        assert az("acr", "login", "-n", source).code == 0
        _push(source, tmp_path, "app:v1", "first")
        source_id = az("acr", "show", "-n", source, "--query", "id", "-o", "tsv").out.strip()
        assert "/resourceGroups/imp-a-rg/" in source_id
        # By resource id, from another group.
        r = az("acr", "import", "-n", target, "--source", "app:v1", "-r", source_id)
        assert r.code == 0 and r.out == "", r.err
        assert az("acr", "repository", "show-tags", "-n", target, "--repository", "app").json() == ["v1"]
        # A resource id naming the wrong group (or another subscription) finds nothing.
        wrong = source_id.replace("/imp-a-rg/", "/imp-b-rg/")
        r = az("acr", "import", "-n", target, "--source", "app:v1", "-r", wrong, "-t", "app:wrong")
        assert r.code == 1 and "not found" in r.err
        r = az("acr", "import", "-n", target, "--source", "app:v1", "-r", "nosuchregistry1", "-t", "app:x")
        assert r.code == 1 and "can not be found in the current subscription" in r.err
        # By digest.
        digest = az("acr", "repository", "show", "-n", source, "--image", "app:v1", "--query", "digest",
                    "-o", "tsv").out.strip()
        assert digest.startswith("sha256:")
        r = az("acr", "import", "-n", target, "--source", f"{source}.azurecr.io/app@{digest}", "-t", "pinned:v1")
        assert r.code == 0, r.err
        assert az("acr", "repository", "show", "-n", target, "--image", "pinned:v1", "--query", "digest",
                  "-o", "tsv").out.strip() == digest
        # --force over an existing tag (a new image at the source's tag).
        _push(source, tmp_path, "app:v1", "second")
        new_digest = az("acr", "repository", "show", "-n", source, "--image", "app:v1", "--query", "digest",
                        "-o", "tsv").out.strip()
        assert new_digest != digest
        r = az("acr", "import", "-n", target, "--source", "app:v1", "-r", source_id)
        assert r.code == 1 and "--force" in r.err
        assert az("acr", "repository", "show", "-n", target, "--image", "app:v1", "--query", "digest",
                  "-o", "tsv").out.strip() == digest
        r = az("acr", "import", "-n", target, "--source", "app:v1", "-r", source_id, "--force", "--no-wait")
        assert r.code == 0 and "Import has started" in r.err, r.err
        assert az("acr", "repository", "show", "-n", target, "--image", "app:v1", "--query", "digest",
                  "-o", "tsv").out.strip() == new_digest
        r = az("acr", "import", "-n", target, "--source", f"{source}.eastus.geo.azurecr.io/app:v1", "-t", "geo:v1")
        assert r.code == 0 and "regional endpoint selection" in r.err, r.err
        assert az("acr", "repository", "show-tags", "-n", target, "--repository", "geo").json() == ["v1"]
        r = az("acr", "import", "-n", target, "--source", "app:v1", "-r", source, "-u", "someone")
        assert r.code == 1 and "Please provide password" in r.err
        # A source registry whose export policy is disabled refuses the import.
        locked = _registry(az, "imp-a-rg", "Premium", "--public-network-enabled", "false", "--allow-exports",
                           "false")
        r = az("acr", "import", "-n", target, "--source", "app:v1", "-r", locked, "-t", "locked:v1")
        assert r.code == 1 and "export policy is disabled" in r.err, r.err
        assert "locked" not in az("acr", "repository", "list", "-n", target).json()
    finally:
        for group in ("imp-a-rg", "imp-b-rg"):
            az("group", "delete", "-n", group, "--yes")
