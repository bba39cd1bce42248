"""Locks, retention, the soft delete trash and the artifact specifiers of az acr manifest, on a registry
storage in a temporary folder (no daemon, no Docker)."""

import json
from datetime import datetime, timedelta, timezone

import pytest

from azlocal.acr import artifacts, registry_config, retention
from azlocal.acr.dataplane import repository, trash
from azlocal.acr.dataplane.errors import RegistryError
from azlocal.acr.dataplane.storage import RegistryStorage
from azlocal.core.errors import AzLocalError

MANIFEST = "application/vnd.oci.image.manifest.v1+json"
INDEX = "application/vnd.oci.image.index.v1+json"


@pytest.fixture
def storage(tmp_path):
    s = RegistryStorage(tmp_path / "reg")
    yield s
    s.db.close()


def _manifest(storage, repo, tag=None, n=0, media_type=MANIFEST, children=()):
    body = json.dumps({"schemaVersion": 2, "mediaType": media_type, "n": n,
                       "manifests": [{"digest": c} for c in children]}).encode()
    digest = storage.put_blob_bytes(body)
    storage.put_manifest(repo, digest, media_type, len(body))
    if tag:
        storage.set_tag(repo, tag, digest)
    return digest


def _denied(call, *args):
    with pytest.raises(RegistryError) as info:
        call(*args)
    assert info.value.message == repository.DISALLOWED
    return info.value


def test_write_lock_on_a_tag_blocks_push_and_every_delete(storage):
    digest = _manifest(storage, "app", "v1")
    other = _manifest(storage, "app", "v2", n=1)
    storage.set_tag_attrs("app", "v1", {"writeEnabled": False})
    assert _denied(repository.check_write, storage, "app", "v1").status == 403
    repository.check_write(storage, "app", "v2")
    assert _denied(repository.delete, storage, "app", "v1").status == 405
    assert _denied(repository.delete, storage, "app", digest).status == 405
    _denied(repository.check_repository_delete, storage, "app")
    repository.delete(storage, "app", other)  # another image of the repository stays deletable
    assert [t["name"] for t in storage.tags("app")] == ["v1"]


def test_delete_lock_allows_push_and_a_manifest_lock_covers_its_tags(storage):
    digest = _manifest(storage, "app", "v1")
    storage.set_manifest_attrs("app", digest, {"deleteEnabled": False})
    repository.check_write(storage, "app", "v1")
    _denied(repository.delete, storage, "app", digest)
    storage.set_manifest_attrs("app", digest, {"deleteEnabled": True, "writeEnabled": False})
    _denied(repository.check_write, storage, "app", "v1")  # moving the tag would change the locked image
    storage.set_repo_attrs("app", {"writeEnabled": False})
    _denied(repository.check_write, storage, "app", "new")


def test_read_and_list_locks(storage):
    digest = _manifest(storage, "app", "v1")
    _manifest(storage, "app", "v2", n=1)
    storage.set_tag_attrs("app", "v1", {"readEnabled": False, "listEnabled": False})
    _denied(repository.readable, storage, "app", "v1")
    assert repository.readable(storage, "app", digest)["digest"] == digest  # the manifest itself is readable
    assert [t["name"] for t in repository.listed(storage.tags("app"))] == ["v2"]
    storage.set_repo_attrs("app", {"listEnabled": False})
    assert storage.listed_repositories() == []


def test_untagged_since_and_retention_keeps_locked_and_referenced(storage, monkeypatch):
    old = _manifest(storage, "app", "v1", n=0)
    _manifest(storage, "app", "v1", n=1)  # old loses its tag
    locked = _manifest(storage, "app", "v2", n=2)
    child = _manifest(storage, "app", None, n=3)
    _manifest(storage, "app", "multi", media_type=INDEX, children=[child])
    _manifest(storage, "app", "v2", n=4)
    storage.set_manifest_attrs("app", locked, {"deleteEnabled": False})
    untagged = {d for d, _ in storage.untagged_manifests("app")}
    assert untagged == {old, locked, child}
    doc = {"name": "reg", "sku": {"name": "Premium"},
           "policies": {"retentionPolicy": {"status": "enabled", "days": 1}}}
    monkeypatch.setattr(registry_config, "retention_since", lambda name: None)
    assert retention.apply(doc, storage) == 0  # not a day old yet
    later = datetime.now(timezone.utc) + timedelta(days=2)
    assert retention.apply(dict(doc, sku={"name": "Basic"}), storage, later) == 0
    assert retention.apply(doc, storage, later) == 1
    assert storage.manifest("app", old) is None and storage.manifest("app", locked) and storage.manifest("app", child)


def test_retention_only_counts_manifests_untagged_after_the_policy(storage, monkeypatch):
    before = _manifest(storage, "app", None, n=0)
    monkeypatch.setattr(registry_config, "retention_since", lambda name: "9999")
    doc = {"name": "reg", "sku": {"name": "Premium"}, "policies": {"retentionPolicy": {"status": "enabled", "days": 0}}}
    assert retention.apply(doc, storage) == 0 and storage.manifest("app", before)


def test_trash_keeps_restores_and_purges(storage):
    digest = _manifest(storage, "app", "v1")
    storage.set_tag("app", "v2", digest)
    storage.delete_manifest("app", digest, soft=True)
    assert storage.manifest("app", digest) is None and trash.repositories(storage.db) == ["app"]
    assert [m["digest"] for m in trash.manifests(storage.db, "app")] == [digest]
    assert sorted(t["tag"] for t in trash.tags(storage.db, "app")) == ["v1", "v2"]
    other = _manifest(storage, "app", "v1", n=1)
    with pytest.raises(RegistryError) as info:
        trash.restore(storage, "app", digest, "v1")
    assert info.value.status == 409 and storage.manifest("app", digest) is None
    trash.restore(storage, "app", digest, "v1", force=True)
    assert storage.tag("app", "v1")["digest"] == digest and storage.manifest("app", other)
    assert [t["tag"] for t in trash.tags(storage.db, "app")] == ["v2"]
    assert trash.purge(storage.db, 7) == 0
    assert trash.purge(storage.db, 0, datetime.now(timezone.utc) + timedelta(seconds=1)) == 1
    with pytest.raises(RegistryError):
        trash.restore(storage, "app", "sha256:" + "0" * 64)


def test_the_registry_view_carries_its_soft_delete_policy():
    from azlocal.acr import registry_config

    assert not registry_config.soft_delete_enabled({"policies": {}})
    assert not registry_config.soft_delete_enabled({"policies": {"softDeletePolicy": {"status": "disabled"}}})
    assert registry_config.soft_delete_enabled({"policies": {"softDeletePolicy": {"status": "enabled",
                                                                                  "retentionDays": 3}}})


@pytest.mark.parametrize("args, expected", [
    (("r", "app:v1", None), ("r", "app", "v1", None)),
    (("r", "app", None), ("r", "app", "latest", None)),
    ((None, None, ["r.azurecr.io/app@sha256:abc"]), ("r", "app", None, "sha256:abc")),
    ((None, None, ["https://r.azurecr.io/ns/app:v2"]), ("r", "ns/app", "v2", None)),
])
def test_manifest_specifiers(args, expected):
    assert artifacts.manifest_of(*args) == expected


@pytest.mark.parametrize("call, args, message", [
    (artifacts.manifest_of, ("r", None, None), artifacts.BAD_ARGS_ERROR_MANIFEST),
    (artifacts.manifest_of, ("r", "app", ["r.azurecr.io/app"]), artifacts.BAD_ARGS_ERROR_MANIFEST),
    (artifacts.manifest_of, (None, None, ["app:v1"]), artifacts.BAD_MANIFEST_FQDN),
    (artifacts.manifest_of, (None, None, ["r.example.com/app:v1"]), "does not match the configured az cli acr"),
    (artifacts.repository_of, (None, None, ["r.azurecr.io/app:v1"]), "should not include a tag or digest"),
    (artifacts.repository_of, ("r", "app:v1", None), "should not include a tag or digest"),
    (artifacts.repository_of, (None, None, ["app"]), artifacts.BAD_REPO_FQDN),
    (artifacts.list_deleted_tags, (None, None, ["r.azurecr.io/app@sha256:abc"]), artifacts.BAD_PERM_REPO_FQDN),
    (registry_config.check_retention_days, (366,), "Invalid value for days: should be from 0 to 365"),
])
def test_specifier_errors(call, args, message):
    with pytest.raises(AzLocalError) as info:
        call(*args)
    assert message in str(info.value)


def test_expires_after_adds_days_to_the_date():
    assert artifacts._expires("2024-02-27T10:11:12.1234567Z", 3) == "2024-03-01T10:11:12.1234567Z"


def test_a_soft_deleted_repository_keeps_every_manifest_and_tag(storage):
    first = _manifest(storage, "app", "v1")
    second = _manifest(storage, "app", "v2", n=1)
    result = storage.delete_repo("app", soft=True)
    assert sorted(result["manifestsDeleted"]) == sorted([first, second]) and result["tagsDeleted"] == ["v1", "v2"]
    assert storage.repositories() == [] and trash.repositories(storage.db) == ["app"]
    assert {m["digest"]: m["tags"] for m in trash.manifests(storage.db, "app")} == {first: ["v1"], second: ["v2"]}
    trash.restore(storage, "app", second, "v2")
    assert storage.repositories() == ["app"] and [t["name"] for t in storage.tags("app")] == ["v2"]


@pytest.fixture
def acr(cli, monkeypatch):
    from azlocal.acr import registries

    monkeypatch.setattr(registries, "_publish", lambda doc, before=None: None)
    assert cli("group", "create", "-n", "rg", "-l", "eastus").code == 0
    for name, sku in (("premreg1", "Premium"), ("basicreg1", "Basic")):
        assert cli("acr", "create", "-n", name, "-g", "rg", "--sku", sku).code == 0
    return cli


def test_config_commands_in_process(acr):
    r = acr("acr", "config", "retention", "update", "-r", "premreg1", "--status", "enabled", "--days", "30",
            "--type", "untaggedmanifests")
    assert r.code == 0 and r.json()["days"] == 30 and r.json()["status"] == "enabled", r.err
    r = acr("acr", "config", "retention", "update", "-r", "premreg1", "--status", "enabled", "--type",
            "UntaggedManifests")
    assert r.json()["days"] == 7  # az's default for --days
    assert acr("acr", "show", "-n", "premreg1").json()["policies"]["retentionPolicy"]["days"] == 7
    r = acr("acr", "config", "retention", "update", "-r", "premreg1", "--type", "Other")
    assert r.code == 2
    before = acr("acr", "show", "-n", "basicreg1").json()["policies"]
    r = acr("acr", "config", "soft-delete", "update", "-r", "basicreg1", "--status", "enabled", "--days", "91")
    assert r.code == 1 and "between 1 and 90" in r.err
    r = acr("acr", "config", "soft-delete", "update", "-r", "basicreg1", "--status", "enabled", "--days", "3")
    assert r.code == 1  # fewer days than now: az asks, and without a terminal nothing changes
    assert acr("acr", "show", "-n", "basicreg1").json()["policies"] == before
    r = acr("acr", "config", "soft-delete", "update", "-r", "basicreg1", "--status", "enabled", "--days", "3", "--yes")
    assert r.code == 0 and r.json()["retentionDays"] == 3
    r = acr("acr", "config", "soft-delete", "update", "-r", "basicreg1", "--status", "disabled")
    assert r.code == 0 and "Disabling soft-delete does not affect purge behavior" in r.err
    r = acr("acr", "config", "content-trust", "update", "-r", "premreg1", "--status", "enabled", "--yes")
    assert r.code == 2  # only 'disabled' is accepted
    r = acr("acr", "config", "content-trust", "update", "-n", "premreg1", "--status", "disabled", "--yes")
    assert r.code == 0 and r.json() == {"status": "disabled", "type": "Notary"}
    assert acr("acr", "config", "authentication-as-arm", "show", "-r", "nosuchreg").json() == {}
