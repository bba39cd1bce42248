"""Pulls from this home's container registries by managed identity, as Azure's platforms make them (Container Apps'
`--registry-identity`, container groups' `--acr-identity`, ACR tasks' `--use-identity`): an Azure AD token is
minted for the identity's principal (`identity.tokens.issue`, ARM audience), exchanged at the registry's own
`/oauth2/exchange` (over HTTP, through the daemon, as any client does) for a refresh token, and the engine pulls
with it as `az acr login` does (user `00000000-0000-0000-0000-000000000000`, the refresh token as password). No
password is stored anywhere.

What the identity may pull is what its role assignments on the registry allow (AcrPull, AcrPush, Reader, ...;
see acr/dataplane/aad.py): before the pull, the registry is asked for the image's manifest with the access token
the identity gets, so a missing role is `PullDenied` (the caller words it as its service does) even when the
engine has the image already.
"""

from azlocal.core.errors import AzLocalError
from azlocal.platform.engine import images

NULL_USER = "00000000-0000-0000-0000-000000000000"
ARM_AUDIENCE = "https://management.azure.com"
MANIFEST_TYPES = ", ".join((
    "application/vnd.oci.image.index.v1+json", "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.docker.distribution.manifest.v2+json"))


class PullDenied(AzLocalError):
    """The identity may not pull from the registry (no role that allows it, or a registry not of this home);
    `reason` says which, for the log."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


def is_acr(server):
    """Whether a registry host is an Azure Container Registry's (`<name>.azurecr.io`)."""
    return (server or "").lower().split(":")[0].endswith(".azurecr.io")


class _Registry:
    """The registry's endpoints on the daemon, reached with its login server as Host."""

    def __init__(self, login_server):
        import requests

        from azlocal.platform import lifecycle

        self.login_server = login_server.lower().split(":")[0]
        self.base = lifecycle.url(lifecycle.ensure_running()["port"])
        self.session = requests.Session()
        self.session.headers["Host"] = self.login_server

    def post(self, path, data):
        response = self.session.post(f"{self.base}{path}", data=dict(data, service=self.login_server), timeout=30)
        if response.status_code == 404:
            raise PullDenied(f"the registry '{self.login_server}' is not an Azure Container Registry of this "
                             "azlocal home; a managed identity can pull only from those offline")
        if response.status_code != 200:
            raise PullDenied(_reason(response))
        return response.json()

    def manifest_status(self, repository, reference, token):
        response = self.session.head(f"{self.base}/v2/{repository}/manifests/{reference}", timeout=30,
                                     headers={"Authorization": f"Bearer {token}", "Accept": MANIFEST_TYPES})
        return response.status_code


def _reason(response):
    try:
        error = response.json()["errors"][0]
        return f"{error['code']}: {error['message']}"
    except (ValueError, KeyError, IndexError, TypeError):
        return f"the registry answered {response.status_code}"


def refresh_token(login_server, principal_id, client_id, identity_id=None):
    """The registry's refresh token for the identity (its AAD token exchanged at /oauth2/exchange)."""
    from azlocal.core import settings
    from azlocal.identity import tokens

    aad = tokens.issue(principal_id, client_id or principal_id, ARM_AUDIENCE, identity_id=identity_id)
    form = {"grant_type": "access_token", "tenant": settings.TENANT_ID, "access_token": aad["access_token"]}
    return _Registry(login_server).post("/oauth2/exchange", form)["refresh_token"]


def credentials(image, principal_id, client_id, identity_id=None):
    """{username, password} the engine pulls `image` with, as the identity; PullDenied when the identity may
    not pull it from this home's registry (or the registry is not one of this home's)."""
    reference = images.parse_reference(image)
    if not is_acr(reference.server):
        raise PullDenied(f"the registry '{reference.server or 'docker.io'}' is not an Azure Container Registry; "
                         "a managed identity pulls only from those")
    if not principal_id:
        raise PullDenied("the identity has no principal")
    registry = _Registry(reference.server)
    refresh = refresh_token(reference.server, principal_id, client_id, identity_id)
    access = registry.post("/oauth2/token", {"grant_type": "refresh_token", "refresh_token": refresh,
                                             "scope": f"repository:{reference.repository}:pull"})["access_token"]
    status = registry.manifest_status(reference.repository, reference.version, access)
    if status in (401, 403):
        raise PullDenied(f"the identity's role assignments on the registry do not allow pulling "
                         f"'{reference.repository}' (AcrPull is needed)")
    return {"username": NULL_USER, "password": refresh}
