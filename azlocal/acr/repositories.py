"""`az acr repository …` and `az acr login`: the registry's content, through its data plane."""

from collections.abc import Callable
from dataclasses import dataclass

from knack.log import get_logger

from azlocal.acr import registries
from azlocal.acr.acr_data import NULL_USER, RegistryClient, parse_image
from azlocal.core.errors import AzLocalError

logger = get_logger(__name__)
ORDERBY = {"time_asc": "timeasc", "time_desc": "timedesc"}


def _client(name, username=None, password=None):
    return RegistryClient(registries.get(name), username, password)


def list_repositories(name, top=None, username=None, password=None):
    return _client(name, username, password).paged("/v2/_catalog", "registry:catalog:*", "repositories", top=top)


def show_tags(name, repository, *, detail=False, orderby=None, top=None, username=None, password=None):
    params = {"orderby": ORDERBY[orderby]} if orderby else {}
    tags = _client(name, username, password).paged(
        f"/acr/v1/{repository}/_tags", f"repository:{repository}:metadata_read", "tags", params, top)
    return tags if detail else [t["name"] for t in tags]


def show_manifests(name, repository, *, detail=False, orderby=None, top=None, username=None, password=None):
    params = {"orderby": ORDERBY[orderby]} if orderby else {}
    manifests = _client(name, username, password).paged(
        f"/acr/v1/{repository}/_manifests", f"repository:{repository}:metadata_read", "manifests", params, top)
    if detail:
        return manifests
    return [{"digest": m["digest"], "tags": m.get("tags") or [], "timestamp": m["lastUpdateTime"]}
            for m in manifests]


def _repository_and_image(image, repository):
    if bool(image) == bool(repository):
        raise AzLocalError("Usage error: You need to provide either --image IMAGE | --repository REPOSITORY, "
                           "but not both")
    return image, repository


def show(name, image=None, repository=None, username=None, password=None):
    image, repository = _repository_and_image(image, repository)
    client = _client(name, username, password)
    if repository:
        return client.call("GET", f"/acr/v1/{repository}", f"repository:{repository}:metadata_read").json()
    repo, tag, digest = parse_image(image)
    scope = f"repository:{repo}:metadata_read"
    if digest:
        return client.call("GET", f"/acr/v1/{repo}/_manifests/{digest}", scope).json()["manifest"]
    return client.call("GET", f"/acr/v1/{repo}/_tags/{tag}", scope).json()["tag"]


def update(name, image=None, repository=None, *, delete_enabled=None, list_enabled=None, read_enabled=None,
           write_enabled=None, username=None, password=None):
    image, repository = _repository_and_image(image, repository)
    attributes = {k: v for k, v in {"deleteEnabled": delete_enabled, "listEnabled": list_enabled,
                                    "readEnabled": read_enabled, "writeEnabled": write_enabled}.items()
                  if v is not None}
    client = _client(name, username, password)
    if repository:
        return client.call("PATCH", f"/acr/v1/{repository}", f"repository:{repository}:metadata_write",
                           json=attributes).json()
    repo, tag, digest = parse_image(image)
    scope = f"repository:{repo}:metadata_write"
    if digest:
        return client.call("PATCH", f"/acr/v1/{repo}/_manifests/{digest}", scope, json=attributes).json()["manifest"]
    return client.call("PATCH", f"/acr/v1/{repo}/_tags/{tag}", scope, json=attributes).json()["tag"]


@dataclass
class Deletion:
    """A deletion to confirm: the command layer asks `question` (or, with --yes, warns `note` when there is
    one) and then calls `run`."""
    question: str
    note: str | None
    run: Callable


def deletion(name, image=None, repository=None, username=None, password=None):
    """`az acr repository delete`: a repository, or a manifest (by tag or digest) with all its tags."""
    image, repository = _repository_and_image(image, repository)
    client = _client(name, username, password)
    if repository:
        return Deletion(f"Are you sure you want to delete the repository '{repository}' and all images under it?",
                        None, lambda: client.call("DELETE", f"/acr/v1/{repository}",
                                                  f"repository:{repository}:delete").json())
    repo, tag, digest = parse_image(image)
    scope = f"repository:{repo}:delete,metadata_read"
    if not digest:
        digest = client.call("GET", f"/acr/v1/{repo}/_tags/{tag}", scope).json()["tag"]["digest"]
    tags = [t["name"] for t in client.paged(f"/acr/v1/{repo}/_tags", scope, "tags", {"digest": digest})]
    images = ", ".join(f"'{repo}:{t}'" for t in tags)
    message = f"This operation will delete the manifest '{digest}' and all the following images: {images}."

    def run():
        client.call("DELETE", f"/v2/{repo}/manifests/{digest}", scope)

    return Deletion(message + "\nAre you sure you want to continue?", message, run)


def untag(name, image, username=None, password=None):
    repo, tag, digest = parse_image(image)
    if digest:
        raise AzLocalError("Image name with digest is not supported. Please use 'az acr repository delete'.")
    _client(name, username, password).call("DELETE", f"/acr/v1/{repo}/_tags/{tag}", f"repository:{repo}:delete")


def login_token(name, username=None, password=None, endpoint=None):
    """`az acr login --expose-token`: a refresh token for the null-GUID user."""
    doc = registries.get(name)
    client = RegistryClient(doc)
    if username or password:
        raise AzLocalError("`--expose-token` cannot be combined with `--username` or `--password`.")
    if endpoint:
        raise AzLocalError("`--expose-token` cannot be combined with `--endpoint`.")
    token = client.refresh_token()
    logger.warning("Note: The token in both the accessToken and refreshToken fields is an ACR Refresh Token, "
                   "not an ACR Access Token. It must be exchanged for an ACR access token before it can call "
                   "registry APIs. See https://aka.ms/acr/auth/oauth")
    logger.warning("You can perform manual login using the provided refresh token below, for example: "
                   "'docker login loginServer -u %s -p refreshToken'", NULL_USER)
    return {"accessToken": token, "loginServer": doc["loginServer"], "refreshToken": token, "username": NULL_USER}


def docker_login(name, username=None, password=None, endpoint=None):
    """`az acr login`: `docker login` with a refresh token (or the given credentials) at the login server, or
    with --endpoint at that region's regional endpoint. Returns what docker said."""
    import subprocess

    from azlocal.platform.engine.lookup import retry_on_lookup

    doc = registries.get(name)
    client = RegistryClient(doc)
    server = doc["loginServer"] if not endpoint else _regional_server(doc, name, endpoint)
    if not (username and password):
        username, password = NULL_USER, client.refresh_token()

    def login_once():
        result = subprocess.run(["docker", "login", "--username", username, "--password-stdin", server],
                                input=password, capture_output=True, text=True)
        if result.returncode != 0 and "no such host" in result.stderr:
            raise AzLocalError(result.stderr)
        return result

    try:
        proc = retry_on_lookup(login_once)
    except AzLocalError as ex:
        logger.warning(str(ex).strip())
        raise AzLocalError("Login failed.") from ex
    if proc.returncode != 0:
        logger.warning(proc.stderr.strip())
        raise AzLocalError("Login failed.")
    return proc.stdout.strip()


def _regional_server(doc, name, endpoint):
    prefix = f"{doc['loginServer'].split('.')[0]}.{endpoint}.geo.".lower()
    server = next((h for h in doc.get("regionalEndpointHostNames") or [] if h.lower().startswith(prefix)), None)
    if server is None:
        raise AzLocalError(f"Regional endpoint for '{endpoint}' not found. Aborting login. Run 'az acr "
                           f"show-endpoints -n {name}' to list available regional endpoints.")
    logger.warning("Logging in to regional endpoint: %s", server)
    return server


# az acr manifest (preview) ---------------------------------------------------------------------

MANIFEST_ACCEPT = ", ".join([
    "application/vnd.oci.image.manifest.v1+json", "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json", "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.oci.artifact.manifest.v1+json", "application/vnd.cncf.oras.artifact.manifest.v1+json",
])


def parse_artifact(registry, name, positional, repository_only=False):
    """`-r R -n repo[:tag|@digest]` or a fully qualified `R.azurecr.io/repo[:tag|@digest]`."""
    if positional:
        host, _, rest = positional.partition("/")
        registry = registry or host.split(".")[0]
        name = rest
    if not registry or not name:
        raise AzLocalError("Please specify the artifact with --registry/-r and --name/-n, or as a fully qualified "
                           "name such as 'myregistry.azurecr.io/hello-world:latest'.")
    if repository_only:
        if ":" in name or "@" in name:
            raise AzLocalError("Parameter 'name' refers to a repository and should not include a tag or digest.")
        return registry, name, None
    repo, tag, digest = parse_image(name)
    return registry, repo, digest or tag


def manifest_list_metadata(registry, name=None, positional=None, *, orderby=None, top=None, username=None,
                           password=None):
    registry, repo, _ = parse_artifact(registry, name, positional, repository_only=True)
    return show_manifests(registry, repo, detail=True, orderby=orderby, top=top, username=username,
                          password=password)


def manifest_show(registry, name=None, positional=None, *, raw=False, username=None, password=None):
    import json

    registry, repo, ref = parse_artifact(registry, name, positional)
    client = _client(registry, username, password)
    token = client.access_token(f"repository:{repo}:pull")
    response = client.session.get(f"{client.base}/v2/{repo}/manifests/{ref}",
                                  headers={"Authorization": f"Bearer {token}", "Accept": MANIFEST_ACCEPT})
    if response.status_code != 200:
        from azlocal.acr.acr_data import _error_text

        raise AzLocalError(_error_text(response))
    return response.text if raw else json.loads(response.text)


def manifest_deletion(registry, name=None, positional=None, username=None, password=None):
    """`az acr manifest delete`: the artifact (by tag or digest) and all its tags."""
    registry, repo, ref = parse_artifact(registry, name, positional)
    client = _client(registry, username, password)
    scope = f"repository:{repo}:delete,metadata_read"
    digest = ref if ref.startswith("sha256:") else \
        client.call("GET", f"/acr/v1/{repo}/_tags/{ref}", scope).json()["tag"]["digest"]

    def run():
        client.call("DELETE", f"/v2/{repo}/manifests/{digest}", scope)

    return Deletion(f"Are you sure you want to delete the artifact '{repo}@{digest}' and all its tags?", None, run)
