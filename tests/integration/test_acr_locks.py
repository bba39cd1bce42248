"""ACR image locks, retention of untagged manifests, soft delete and the config policies, enforced by the
registry for the real docker CLI, curl and az."""

import json
import os
import random
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from azlocal.core import settings
from tests.integration import busybox

pytestmark = pytest.mark.integration
DISALLOWED = "The operation is disallowed on this registry, repository or image."
PREMIUM_ONLY = "Policies are only supported for managed registries in Premium SKU."


def _docker(*args):
    return subprocess.run(["docker", *args], capture_output=True, text=True)


@pytest.fixture
def group(az):
    assert az("group", "create", "-n", "locks-rg", "-l", "eastus", "-o", "none").code == 0
    yield "locks-rg"
    az("group", "delete", "-n", "locks-rg", "--yes")


def _registry(az, sku="Basic"):
    name = f"azlk{random.randint(100000, 999999)}"
    r = az("acr", "create", "-n", name, "-g", "locks-rg", "--sku", sku, "-o", "none")
    assert r.code == 0, r.err
    assert az("acr", "login", "-n", name).code == 0
    return name


class Images:
    """Distinct FROM-scratch images, pushed under any name."""

    def __init__(self, tmp_path):
        self.tmp_path, self.count = tmp_path, 0

    def push(self, registry, repo_tag, variant):
        image = f"{registry}.azurecr.io/{repo_tag}"
        self.count += 1
        busybox.build(busybox.write_context(self.tmp_path / f"ctx{self.count}", [f"ENV VARIANT={variant}"]), image)
        result = _docker("push", image)
        _docker("rmi", image)
        return result


def _digest(az, registry, image):
    r = az("acr", "repository", "show", "-n", registry, "--image", image)
    assert r.code == 0, r.err
    return r.json()["digest"]


def _tags(az, registry, repo):
    return az("acr", "repository", "show-tags", "-n", registry, "--repository", repo).json()


def _curl_tags(az, registry, repo):
    token = az("acr", "login", "-n", registry, "--expose-token").json()["refreshToken"]
    url = f"http://{registry}.azurecr.io:{settings.http_port()}/v2/{repo}/tags/list"
    out = subprocess.run(["curl", "-s", "-u", f"00000000-0000-0000-0000-000000000000:{token}", url],
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out)["tags"]


def test_locks_hold_for_docker_and_az(az, group, tmp_path):
    registry, images = _registry(az), Images(tmp_path)
    assert images.push(registry, "app:v1", "a").returncode == 0
    assert images.push(registry, "app:v2", "b").returncode == 0
    locked = _digest(az, registry, "app:v1")
    r = az("acr", "repository", "update", "-n", registry, "--image", "app:v1", "--write-enabled", "false")
    assert r.code == 0 and r.json()["changeableAttributes"]["writeEnabled"] is False
    # a write-locked tag: docker cannot push over it, nothing deletes it
    push = images.push(registry, "app:v1", "c")
    assert push.returncode != 0 and DISALLOWED in push.stdout + push.stderr
    assert _digest(az, registry, "app:v1") == locked
    for args in (("repository", "delete", "-n", registry, "--image", "app:v1", "--yes"),
                 ("repository", "untag", "-n", registry, "--image", "app:v1"),
                 ("manifest", "delete", "-r", registry, "-n", "app:v1", "--yes"),
                 ("repository", "delete", "-n", registry, "--repository", "app", "--yes")):
        r = az("acr", *args)
        assert r.code == 1 and DISALLOWED in r.err, (args, r.err)
    assert _tags(az, registry, "app") == ["v1", "v2"]
    # the other images of the repository stay deletable
    assert az("acr", "manifest", "delete", "-r", registry, "-n", "app:v2", "--yes").code == 0
    assert _tags(az, registry, "app") == ["v1"]
    # a delete-locked tag (update-metadata) can be pushed over but not deleted
    assert images.push(registry, "app:v3", "d").returncode == 0
    r = az("acr", "manifest", "update-metadata", "-r", registry, "-n", "app:v3", "--delete-enabled", "false")
    assert r.code == 0, r.err
    assert r.json()["changeableAttributes"] == {"deleteEnabled": False, "listEnabled": True, "readEnabled": True,
                                                "writeEnabled": True}
    r = az("acr", "repository", "untag", "-n", registry, "--image", "app:v3")
    assert r.code == 1 and DISALLOWED in r.err
    assert images.push(registry, "app:v3", "e").returncode == 0
    shown = az("acr", "manifest", "show-metadata", f"{registry}.azurecr.io/app:v3").json()
    assert shown["changeableAttributes"]["deleteEnabled"] is False and shown["digest"] != locked
    # read-disabled: docker cannot pull it; list-disabled: hidden from the listings, still there
    assert az("acr", "repository", "update", "-n", registry, "--image", "app:v1", "--read-enabled", "false",
              "-o", "none").code == 0
    pull = _docker("pull", f"{registry}.azurecr.io/app:v1")
    assert pull.returncode != 0 and DISALLOWED in pull.stderr
    assert az("acr", "manifest", "update-metadata", f"{registry}.azurecr.io/app:v3", "--list-enabled", "false",
              "-o", "none").code == 0
    assert _tags(az, registry, "app") == ["v1"] and _curl_tags(az, registry, "app") == ["v1"]
    assert az("acr", "repository", "show", "-n", registry, "--image", "app:v3").code == 0
    assert az("acr", "manifest", "update-metadata", "-r", registry, "-n", f"app@{locked}", "--list-enabled",
              "false", "-o", "none").code == 0
    listed = az("acr", "manifest", "list-metadata", "-r", registry, "-n", "app").json()
    assert locked not in [m["digest"] for m in listed] and listed
    # a write-locked repository takes no push at all
    assert az("acr", "repository", "update", "-n", registry, "--repository", "app", "--write-enabled", "false",
              "-o", "none").code == 0
    push = images.push(registry, "app:v9", "f")
    assert push.returncode != 0 and DISALLOWED in push.stdout + push.stderr


def _wait_until(check, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if check():
            return True
        time.sleep(0.5)
    return False


def _docker_trust_sign(image, tmp_path):
    """`docker trust sign` with the keys it would make kept in a scratch docker config (logins copied)."""
    config = tmp_path / "docker-config"
    config.mkdir()
    shutil.copy(Path.home() / ".docker" / "config.json", config / "config.json")
    env = dict(os.environ, DOCKER_CONFIG=str(config), DOCKER_CONTENT_TRUST_ROOT_PASSPHRASE="passphrase1",
               DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE="passphrase1")
    return subprocess.run(["docker", "trust", "sign", image], capture_output=True, text=True, env=env,
                          stdin=subprocess.DEVNULL, timeout=120)


def test_retention_policy_and_config(az, group, tmp_path, monkeypatch):
    monkeypatch.setenv("AZLOCAL_RETENTION_SWEEP_SECONDS", "1")
    basic, images = _registry(az), Images(tmp_path)
    before = az("acr", "show", "-n", basic).json()["policies"]
    for args in (("retention", "update", "-r", basic, "--status", "enabled", "--days", "0", "--type",
                  "UntaggedManifests"), ("retention", "show", "-r", basic), ("content-trust", "show", "-r", basic),
                 ("content-trust", "update", "-r", basic, "--status", "disabled", "--yes")):
        r = az("acr", "config", *args)
        assert r.code == 1 and PREMIUM_ONLY in r.err, (args, r.err)
    assert az("acr", "show", "-n", basic).json()["policies"] == before
    premium = _registry(az, "Premium")
    r = az("acr", "config", "retention", "update", "-r", premium, "--status", "enabled", "--days", "400", "--type",
           "UntaggedManifests")
    assert r.code == 1 and "Invalid value for days: should be from 0 to 365" in r.err
    # untagged before the policy is on: kept
    assert images.push(registry := premium, "old:v1", "a").returncode == 0
    old = _digest(az, registry, "old:v1")
    assert images.push(registry, "old:v1", "b").returncode == 0
    r = az("acr", "config", "retention", "update", "-r", premium, "--status", "enabled", "--days", "0", "--type",
           "UntaggedManifests")
    assert r.code == 0, r.err
    assert r.json()["days"] == 0 and r.json()["status"] == "enabled"
    assert az("acr", "config", "retention", "show", "-r", premium).json() == r.json()
    r = az("acr", "config", "retention", "update", "-r", basic, "--status", "enabled", "--type", "UntaggedManifests")
    assert r.code == 1 and PREMIUM_ONLY in r.err
    assert images.push(registry, "app:v1", "c").returncode == 0
    untagged = _digest(az, registry, "app:v1")
    assert images.push(registry, "keep:v1", "d").returncode == 0
    protected = _digest(az, registry, "keep:v1")
    assert az("acr", "manifest", "update-metadata", "-r", registry, "-n", "keep:v1", "--delete-enabled", "false",
              "-o", "none").code == 0
    assert az("acr", "repository", "update", "-n", registry, "--image", f"keep@{protected}", "--delete-enabled",
              "false", "-o", "none").code == 0
    assert images.push(registry, "app:v1", "e").returncode == 0
    assert images.push(registry, "keep:v2", "f").returncode == 0
    assert az("acr", "repository", "untag", "-n", registry, "--image", "keep:v1").code == 1  # tag locked
    assert az("acr", "manifest", "update-metadata", "-r", registry, "-n", "keep:v1", "--delete-enabled", "true",
              "-o", "none").code == 0
    assert az("acr", "repository", "untag", "-n", registry, "--image", "keep:v1").code == 0

    def digests(repo):
        return [m["digest"] for m in az("acr", "manifest", "list-metadata", "-r", registry, "-n", repo).json()]

    assert _wait_until(lambda: untagged not in digests("app")), "the untagged manifest was not deleted"
    assert len(digests("app")) == 1 and protected in digests("keep") and old in digests("old")
    # soft delete cannot be on with retention; content trust and authentication-as-arm are recorded
    r = az("acr", "config", "soft-delete", "update", "-r", premium, "--status", "enabled")
    assert r.code == 1 and "cannot be enabled at the same time" in r.err
    assert az("acr", "config", "content-trust", "show", "-r", premium).json() == {"status": "disabled",
                                                                                 "type": "Notary"}
    trust = _docker_trust_sign(f"{registry}.azurecr.io/app:v1", tmp_path)
    assert trust.returncode != 0 and "content trust signing is not available offline" in trust.stdout + trust.stderr
    r = az("acr", "config", "authentication-as-arm", "update", "-r", premium, "--status", "disabled")
    assert r.code == 0 and r.json() == {"status": "disabled"} and "no effect offline" not in r.err
    assert az("acr", "config", "authentication-as-arm", "show", "-r", premium).json() == {"status": "disabled"}


def test_soft_delete_keeps_deleted_artifacts_restorable(az, group, tmp_path):
    registry, images = _registry(az), Images(tmp_path)
    r = az("acr", "config", "soft-delete", "update", "-r", registry, "--status", "enabled", "--days", "3", "--yes")
    assert r.code == 0, r.err
    assert r.json()["retentionDays"] == 3 and r.json()["status"] == "enabled"
    assert images.push(registry, "app:v1", "a").returncode == 0
    digest = _digest(az, registry, "app:v1")
    assert az("acr", "repository", "delete", "-n", registry, "--image", "app:v1", "--yes").code == 0
    assert az("acr", "repository", "list", "-n", registry).json() == []
    deleted = az("acr", "manifest", "list-deleted", "-r", registry, "-n", "app").json()
    assert [m["digest"] for m in deleted] == [digest]
    assert deleted[0]["expiresAfter"][:10] > deleted[0]["deletedAt"][:10]
    tags = az("acr", "manifest", "list-deleted-tags", f"{registry}.azurecr.io/app:v1").json()
    assert [(t["tag"], t["digest"]) for t in tags] == [("v1", digest)]
    assert az("acr", "repository", "list-deleted", "-n", registry).json() == ["app"]
    r = az("acr", "manifest", "restore", "-r", registry, "-n", "app:v1", "--yes")
    assert r.code == 0, r.err
    assert _tags(az, registry, "app") == ["v1"]
    pull = _docker("pull", f"{registry}.azurecr.io/app:v1")
    assert pull.returncode == 0, pull.stderr
    _docker("rmi", f"{registry}.azurecr.io/app:v1")
    assert az("acr", "manifest", "list-deleted", "-r", registry, "-n", "app").json() == []
    listed = az("acr", "manifest", "list", f"{registry}.azurecr.io/app").json()
    assert [m["schemaVersion"] for m in listed] == [2] and listed[0]["layers"]
    table = az("acr", "manifest", "list", "-r", registry, "-n", "app", "-o", "table").out.splitlines()
    assert table[0].split() == ["MediaType", "ArtifactType", "SubjectDigest"]
    assert az("acr", "manifest", "list-referrers", "-r", registry, "-n", "app:v1").json() == {"manifests": []}
    r = az("acr", "manifest", "restore", "-r", registry, "-n", "app:v1", "--yes")
    assert r.code == 1 and "No deleted manifests found for tag: v1" in r.err
