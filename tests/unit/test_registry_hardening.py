"""Registry hardening without Docker: upload ids and sessions, the digest checked on disk, the stale
upload sweep, manifest validation, and tokens whose claims are not what the registry issues."""

import asyncio
import base64
import hashlib
import hmac
import json
import os
import time
import uuid

import pytest

from azlocal.acr.dataplane import RegistryView, auth, manifests
from azlocal.acr.dataplane.errors import RegistryError
from azlocal.acr.dataplane.storage import RegistryStorage, storage_for, sweep_uploads

KEY = b"k" * 32
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"


def _digest(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


# Upload sessions ---------------------------------------------------------------------------------

@pytest.mark.parametrize("upload_id", ["..", ".", "../meta.db", "", "x" * 36, "direct-abc", "meta.db",
                                       str(uuid.uuid4()).upper(), "{%s}" % uuid.uuid4(), uuid.uuid4().hex,
                                       f"urn:uuid:{uuid.uuid4()}", f"{uuid.uuid4()}\n", f"{uuid.uuid4()}.repo"])
def test_only_canonical_uuids_name_an_upload(tmp_path, upload_id):
    storage = RegistryStorage(tmp_path)
    (tmp_path / "uploads" / "planted").write_bytes(b"x")
    assert storage.get_upload(upload_id, "repo") is None
    with pytest.raises(RegistryError) as caught:
        storage.upload_path(upload_id)
    assert caught.value.code == "BLOB_UPLOAD_UNKNOWN"


def test_a_planted_symlink_never_leads_outside_the_uploads_folder(tmp_path):
    storage = RegistryStorage(tmp_path / "root")
    outside = tmp_path / "outside"
    outside.write_bytes(b"host file")
    upload_id = str(uuid.uuid4())
    (tmp_path / "root" / "uploads" / upload_id).symlink_to(outside)
    (tmp_path / "root" / "uploads" / f"{upload_id}.repo").write_text("repo")
    assert storage.get_upload(upload_id, "repo") is None
    assert outside.read_bytes() == b"host file"


def test_a_session_belongs_to_its_repository_also_after_a_restart(tmp_path):
    storage = RegistryStorage(tmp_path)
    session = storage.new_upload("team/app")
    assert storage.get_upload(session.id, "team/app") is session
    assert storage.get_upload(session.id, "other") is None
    restarted = RegistryStorage(tmp_path)  # a new process: no live sessions, only the files
    assert restarted.get_upload(session.id, "other") is None
    assert restarted.get_upload(session.id, "team/app").repo == "team/app"


def test_commit_verifies_the_bytes_on_disk(tmp_path):
    storage = RegistryStorage(tmp_path)
    session = storage.new_upload("repo")
    with session.open_for_append() as f:
        f.write(b"B" * 100 + b"A" * 100)
    with pytest.raises(RegistryError) as caught:
        session.commit(_digest(b"A" * 100 + b"B" * 100))
    assert caught.value.code == "DIGEST_INVALID"
    assert not storage.blob_exists(_digest(b"A" * 100 + b"B" * 100))
    assert list((tmp_path / "uploads").iterdir()) == []


def test_a_refused_chunk_is_truncated_away(tmp_path):
    storage = RegistryStorage(tmp_path)
    session = storage.new_upload("repo")
    with session.open_for_append() as f:
        f.write(b"good")
    with session.open_for_append() as f:
        f.write(b"bad chunk")
    session.truncate(4)
    assert session.offset == 4 and session.commit(_digest(b"good")) == _digest(b"good")


# The stale upload sweep -------------------------------------------------------------------------

def _age(path, seconds):
    then = time.time() - seconds
    os.utime(path, (then, then))


def test_sweep_removes_only_sessions_untouched_for_the_ttl(tmp_path):
    root = tmp_path / "reg"
    storage = storage_for(root)
    old, fresh, busy = storage.new_upload("a"), storage.new_upload("a"), storage.new_upload("b")
    for session in (old, fresh, busy):
        session.path.write_bytes(b"x" * 1000)
    for path in (old.path, storage.owner_path(old.id), busy.path, storage.owner_path(busy.id),
                 storage.owner_path(fresh.id)):
        _age(path, 7200)  # fresh: its data was written just now, only its owner file is old
    stray = root / "uploads" / "direct-0123"
    stray.write_bytes(b"y" * 10)
    _age(stray, 7200)

    async def sweep_while_busy():
        async with busy.lock:  # a request is writing to it right now
            return sweep_uploads(root, 3600)

    assert asyncio.run(sweep_while_busy()) == (3, 1000 + 1 + 10)  # data, owner file, stray
    assert sorted(p.name for p in (root / "uploads").iterdir()) == sorted(
        [fresh.id, f"{fresh.id}.repo", busy.id, f"{busy.id}.repo"])
    assert storage.get_upload(old.id, "a") is None and old.closed
    assert storage.get_upload(fresh.id, "a") is fresh
    assert sweep_uploads(root, 3600) == (2, 1000 + 1)  # once idle, the busy one goes too
    assert sweep_uploads(tmp_path / "missing", 3600) == (0, 0)


def test_daemon_sweep_covers_every_registry_and_honours_the_setting(tmp_path, monkeypatch):
    from azlocal.acr.dataplane import views as registry_views

    roots = {"alpha": tmp_path / "alpha", "beta": tmp_path / "beta", "gone": tmp_path / "gone"}
    for name in ("alpha", "beta"):
        (roots[name] / "uploads").mkdir(parents=True)
        data = roots[name] / "uploads" / str(uuid.uuid4())
        data.write_bytes(b"z" * 100)
        _age(data, 600)
    monkeypatch.setattr(registry_views.registries, "list_registries", lambda: [{"name": n} for n in roots])
    monkeypatch.setattr(registry_views.registries, "storage_root", lambda name: roots[name])
    monkeypatch.setenv("AZLOCAL_UPLOAD_TTL_SECONDS", "3600")
    assert registry_views.sweep_stale_uploads(force=True) == (0, 0)
    monkeypatch.setenv("AZLOCAL_UPLOAD_TTL_SECONDS", "300")
    assert registry_views.sweep_stale_uploads() == (0, 0)  # swept moments ago: not yet again
    assert registry_views.sweep_stale_uploads(force=True) == (2, 200)
    assert not roots["gone"].exists()  # a deleted registry's folder is never re-created


def test_upload_ttl_setting_default_and_bad_values(monkeypatch):
    from azlocal.core import settings

    monkeypatch.delenv("AZLOCAL_UPLOAD_TTL_SECONDS", raising=False)
    assert settings.upload_ttl_seconds() == 3600
    monkeypatch.setenv("AZLOCAL_UPLOAD_TTL_SECONDS", "soon")
    assert settings.upload_ttl_seconds() == 3600
    monkeypatch.setenv("AZLOCAL_UPLOAD_TTL_SECONDS", "60")
    assert settings.upload_ttl_seconds() == 60


# Manifest validation ----------------------------------------------------------------------------

def _descriptor(data=b"c", media_type="application/vnd.oci.image.config.v1+json"):
    return {"mediaType": media_type, "digest": _digest(data), "size": len(data)}


GOOD = {"schemaVersion": 2, "mediaType": OCI_MANIFEST, "config": _descriptor(), "layers": [_descriptor(b"l")]}


def _with(**changes):
    doc = json.loads(json.dumps(GOOD))
    for key, value in changes.items():
        target, _, leaf = key.rpartition("__")
        (doc[target] if target else doc)[leaf] = value
    return doc


BAD_IMAGE_MANIFESTS = {
    "layers 5": _with(layers=5), "config x": _with(config="x"), "layers [x]": _with(layers=["x"]),
    "config.size big": _with(config__size="big"), "subject x": _with(subject="x"),
    "config.size true": _with(config__size=True), "config.size -1": _with(config__size=-1),
    "config.size 1.5": _with(config__size=1.5), "config.digest 5": _with(config__digest=5),
    "short sha256": _with(config__digest="sha256:abc"), "no algorithm": _with(config__digest="abc"),
    "config.mediaType 7": _with(config__mediaType=7), "config missing": {"schemaVersion": 2, "layers": []},
    "schemaVersion '2'": _with(schemaVersion="2"), "schemaVersion 1": _with(schemaVersion=1),
    "annotations list": _with(annotations=["a"]), "annotation value 1": _with(annotations={"a": 1}),
    "urls x": _with(config__urls="x"), "artifactType 5": _with(artifactType=5), "mediaType []": _with(mediaType=[]),
    "subject without digest": _with(subject={"mediaType": OCI_MANIFEST, "size": 1}),
}


@pytest.mark.parametrize("case", sorted(BAD_IMAGE_MANIFESTS))
def test_malformed_image_manifests_are_invalid(case):
    with pytest.raises(RegistryError) as caught:
        manifests.parse(BAD_IMAGE_MANIFESTS[case], OCI_MANIFEST)
    assert caught.value.code == "MANIFEST_INVALID" and caught.value.status == 400


@pytest.mark.parametrize("doc", [{"manifests": 3}, {"manifests": ["x"]}, {"manifests": [{"digest": 5}]},
                                 {"manifests": [dict(_descriptor(), platform="x")]},
                                 {"manifests": [dict(_descriptor(), platform={"os": 1})]}])
def test_malformed_indexes_are_invalid(doc):
    with pytest.raises(RegistryError) as caught:
        manifests.parse(dict(doc, schemaVersion=2), OCI_INDEX)
    assert caught.value.code == "MANIFEST_INVALID"


@pytest.mark.parametrize("body", [b"[" * 100_000 + b"]" * 100_000, b'{"a":' * 100_000 + b"1" + b"}" * 100_000,
                                  b"[]", b'"x"', b"null", b"", b"\xff\xfe\x00", b"{"])
def test_undecodable_documents_are_invalid(body):
    with pytest.raises(RegistryError) as caught:
        manifests.load(body)
    assert caught.value.code == "MANIFEST_INVALID"


def test_a_valid_manifest_names_what_must_exist():
    subject = _descriptor(b"s", OCI_MANIFEST)
    m = manifests.parse(_with(subject=subject, annotations={"a": "b"}), OCI_MANIFEST)
    assert m.blobs == [_digest(b"c"), _digest(b"l")] and m.config_digest == _digest(b"c")
    assert m.subject == subject["digest"] and m.artifact_type == "application/vnd.oci.image.config.v1+json"
    index = manifests.parse({"schemaVersion": 2, "manifests": [subject]}, OCI_INDEX)
    assert index.children == [subject["digest"]] and index.blobs == []


# Tokens -------------------------------------------------------------------------------------------

def _view():
    return RegistryView(name="reg", login_server="reg.azurecr.io", root=None, token_key=KEY, admin_enabled=True,
                        check_password=lambda u, p: False, check_aad_token=lambda t: False)


def _b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _sign(claims, header=None):
    head = _b64(json.dumps(header or {"alg": "HS256", "typ": "JWT"}).encode())
    body = _b64(claims if isinstance(claims, bytes) else json.dumps(claims).encode())
    sig = hmac.new(KEY, f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{_b64(sig)}"


def _claims(**changes):
    claims = {"aud": "reg.azurecr.io", "exp": time.time() + 600, "grant_type": "access", "iat": time.time(),
              "sub": "admin", "access": [{"type": "repository", "name": "app", "actions": ["pull"]}]}
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not _DROP}


_DROP = object()
BAD_CLAIMS = {
    "no exp": _claims(exp=_DROP), "exp string": _claims(exp="tomorrow"), "exp null": _claims(exp=None),
    "exp true": _claims(exp=True), "exp list": _claims(exp=[1]), "aud missing": _claims(aud=_DROP),
    "aud list": _claims(aud=["reg.azurecr.io"]), "grant_type 1": _claims(grant_type=1),
    "sub missing": _claims(sub=_DROP),
    "iat string": _claims(iat="now"), "nbf in the future": _claims(nbf=time.time() + 3600),
    "access dict": _claims(access={"type": "repository"}), "access string": _claims(access="repository:app:pull"),
    "access null": _claims(access=None), "access [1]": _claims(access=[1]),
    "actions string": _claims(access=[{"type": "repository", "name": "app", "actions": "pull"}]),
    "name missing": _claims(access=[{"type": "repository", "actions": ["pull"]}]),
    "action 1": _claims(access=[{"type": "repository", "name": "app", "actions": [1]}]),
    "claims list": [1, 2], "claims string": "x", "expired": _claims(exp=time.time() - 1),
}


@pytest.mark.parametrize("case", sorted(BAD_CLAIMS))
def test_signed_tokens_with_ill_typed_claims_are_refused(case):
    assert auth.verify(_view(), _sign(BAD_CLAIMS[case]), "access") is None


ODD_TOKENS = {"alg none": _sign(_claims(), {"alg": "none"}), "no alg": _sign(_claims(), {"x": 1}),
              "claims not UTF-8": _sign(b"\xff\xfe"), "claims 50k deep": _sign(b"[" * 50_000),
              "two parts": "a.b", "four parts": "a.b.c.d", "empty": "", "dots": "..."}


@pytest.mark.parametrize("case", sorted(ODD_TOKENS))
def test_odd_tokens_are_refused(case):
    assert auth.verify(_view(), ODD_TOKENS[case], "access") is None


def test_a_well_formed_token_still_verifies():
    assert auth.verify(_view(), _sign(_claims()), "access")["sub"] == "admin"
    assert auth.verify(_view(), auth.issue(_view(), "access", "admin", access=[]), "access")["access"] == []


def test_over_http_a_signed_token_without_exp_is_401_not_500(tmp_path):
    from aiohttp import ClientSession
    from aiohttp.test_utils import TestServer

    from azlocal.acr.dataplane import build_app

    view = _view()
    view.root = tmp_path

    async def run():
        server = TestServer(build_app(lambda host: view))
        await server.start_server()
        try:
            async with ClientSession() as http:
                statuses = {}
                for case in ("no exp", "exp string", "access dict", "claims list"):
                    token = _sign(BAD_CLAIMS[case])
                    async with http.get(server.make_url("/v2/app/tags/list"),
                                        headers={"Authorization": f"Bearer {token}"}) as r:
                        statuses[case] = (r.status, (await r.json())["errors"][0]["code"])
                async with http.get(server.make_url("/v2/"),
                                    headers={"Authorization": f"Bearer {_sign(_claims())}"}) as r:
                    statuses["good"] = r.status
                return statuses
        finally:
            await server.close()

    statuses = asyncio.run(run())
    assert statuses.pop("good") == 200
    assert set(statuses.values()) == {(401, "UNAUTHORIZED")}, statuses
