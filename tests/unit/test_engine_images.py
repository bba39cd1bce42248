"""The one image-reference parser of the engine adapter (table-driven), and the pull it drives."""

import pytest

from azlocal.platform.engine import images
from azlocal.platform.engine.images import InvalidReference, parse_reference

DIGEST = "sha256:" + "a" * 64


@pytest.mark.parametrize("ref, registry, repository, tag, digest, host, path, version", [
    ("nginx", None, "nginx", None, None, "docker.io", "library/nginx", "latest"),
    ("nginx:1.25", None, "nginx", "1.25", None, "docker.io", "library/nginx", "1.25"),
    ("library/nginx", None, "library/nginx", None, None, "docker.io", "library/nginx", "latest"),
    ("bitnami/redis:7", None, "bitnami/redis", "7", None, "docker.io", "bitnami/redis", "7"),
    ("mcr.microsoft.com/azuredocs/aci-helloworld", "mcr.microsoft.com", "azuredocs/aci-helloworld", None, None,
     "mcr.microsoft.com", "azuredocs/aci-helloworld", "latest"),
    ("MyReg.azurecr.io/app:v1", "MyReg.azurecr.io", "app", "v1", None, "myreg.azurecr.io", "app", "v1"),
    ("localhost:5000/team/app:dev", "localhost:5000", "team/app", "dev", None, "localhost:5000", "team/app", "dev"),
    ("localhost/app", "localhost", "app", None, None, "localhost", "app", "latest"),
    ("127.0.0.1:8443/a/b/c", "127.0.0.1:8443", "a/b/c", None, None, "127.0.0.1:8443", "a/b/c", "latest"),
    (f"busybox@{DIGEST}", None, "busybox", None, DIGEST, "docker.io", "library/busybox", DIGEST),
    (f"reg.io/app:v2@{DIGEST}", "reg.io", "app", "v2", DIGEST, "reg.io", "app", DIGEST),
    ("  nginx:latest  ", None, "nginx", "latest", None, "docker.io", "library/nginx", "latest"),
])
def test_parse_reference(ref, registry, repository, tag, digest, host, path, version):
    r = parse_reference(ref)
    assert (r.registry, r.repository, r.tag, r.digest) == (registry, repository, tag, digest)
    assert (r.host, r.path, r.version) == (host, path, version)
    assert str(r) == ref.strip()
    assert r.name == (f"{registry}/{repository}" if registry else repository)
    assert r.server == (registry or "").lower()


@pytest.mark.parametrize("ref", [
    "", "   ", None, "a b", "nginx:", "reg.io/", "reg.io//app", "/app", "app/", "nginx@", "nginx@sha256:xyz",
    "nginx@notadigest", "nginx:a:b", "nginx:-dash", ":v1",
])
def test_invalid_references(ref):
    with pytest.raises(InvalidReference):
        parse_reference(ref)


class _Api:
    def __init__(self, chunks):
        self.chunks, self.calls = chunks, []

    def pull(self, repository, tag=None, auth_config=None, stream=False, decode=False):
        self.calls.append((repository, tag, auth_config))
        return iter(self.chunks)


class _Client:
    def __init__(self, chunks):
        self.api = _Api(chunks)


@pytest.mark.parametrize("ref, chunks, error, pulled", [
    ("reg.io/app:v1", [{"status": "Pulling"}, {"status": "Done"}], None, ("reg.io/app", "v1")),
    ("reg.io/app", [{"status": "Pulling"}], None, ("reg.io/app", "latest")),
    (f"reg.io/app:v1@{DIGEST}", [], None, ("reg.io/app", DIGEST)),
    ("reg.io/app:v1", [{"status": "Pulling"}, {"error": "unauthorized"}], "unauthorized", ("reg.io/app", "v1")),
])
def test_ensure_image_with_credentials(monkeypatch, ref, chunks, error, pulled):
    fake = _Client(chunks)
    monkeypatch.setattr(images, "_client", lambda: fake)
    seen = []
    creds = {"username": "u", "password": "p"}
    if error:
        with pytest.raises(images.ImageUnavailable) as caught:
            images.ensure_image(ref, creds, progress=seen.append)
        assert str(caught.value) == error and caught.value.with_credentials
    else:
        assert images.ensure_image(ref, creds, progress=seen.append) is False
        assert seen == chunks
    assert fake.api.calls == [(*pulled, creds)]


@pytest.mark.parametrize("ref, server", [
    ("nginx", ""), ("library/nginx:1", ""), ("MyReg.AzureCR.io/app:v1", "myreg.azurecr.io"),
    ("localhost:5000/app", "localhost:5000"), ("not a reference", ""), ("", ""),
])
def test_server_of(ref, server):
    assert images.server_of(ref) == server
