"""Images on the Docker Engine: the one parser of image references and the one pull (with or
without registry credentials) every service uses.

A reference is `[registry/]repository[:tag][@digest]`. The first path component is a registry
host when the reference has a `/` and that component has a `.` or a `:` or is `localhost`
(Docker's rule); otherwise the image is Docker Hub's (`nginx` is `docker.io/library/nginx`).
"""

import re
from dataclasses import dataclass

from azlocal.core.errors import AzLocalError

DOCKER_HUB = "docker.io"
_DIGEST = re.compile(r"^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9A-Fa-f]{32,}$")
_TAG = re.compile(r"^[\w][\w.-]{0,127}$")


class InvalidReference(AzLocalError):
    """The text is not an image reference."""


class ImageUnavailable(AzLocalError):
    """The image is not in the engine and could not be pulled (or built as a stand-in).
    `with_credentials` says whether the pull used registry credentials; the text is the engine's."""

    def __init__(self, message, *, with_credentials=False):
        super().__init__(message)
        self.with_credentials = with_credentials


@dataclass(frozen=True)
class Reference:
    registry: str | None  # the host as written (`myreg.azurecr.io`, `localhost:5000`); None for Docker Hub
    repository: str  # the path after the registry, as written (`nginx`, `azuredocs/aci-helloworld`)
    tag: str | None = None
    digest: str | None = None

    @property
    def host(self):
        """The registry's host, lower-cased; Docker Hub's when the reference names none."""
        return self.registry.lower() if self.registry else DOCKER_HUB

    @property
    def server(self):
        """The registry host as credentials are matched (lower-cased), or '' for an implicit Docker Hub."""
        return self.registry.lower() if self.registry else ""

    @property
    def name(self):
        """`[registry/]repository`, without tag or digest: what the engine pulls."""
        return f"{self.registry}/{self.repository}" if self.registry else self.repository

    @property
    def path(self):
        """The repository as the registry knows it: Docker Hub's one-word names are under `library/`."""
        if self.registry is None and "/" not in self.repository:
            return f"library/{self.repository}"
        return self.repository

    @property
    def version(self):
        """What to pull: the digest if there is one, else the tag, else `latest`."""
        return self.digest or self.tag or "latest"

    def __str__(self):
        text = self.name
        if self.tag:
            text += f":{self.tag}"
        if self.digest:
            text += f"@{self.digest}"
        return text


def parse_reference(ref):
    """`[registry/]repository[:tag][@digest]` -> Reference; InvalidReference when it is not one."""
    text = (ref or "").strip() if isinstance(ref, str) else ""
    if not text or any(ch.isspace() for ch in text):
        raise InvalidReference(f"'{ref}' is not a valid image reference.")
    name, at, digest = text.partition("@")
    if at and not _DIGEST.match(digest):
        raise InvalidReference(f"'{ref}' is not a valid image reference: the digest '{digest}' is malformed.")
    registry, repository = None, name
    first, slash, rest = name.partition("/")
    if slash and ("." in first or ":" in first or first == "localhost"):
        registry, repository = first, rest
    tag = None
    last = repository.rsplit("/", 1)[-1]
    if ":" in last:
        repository, _, tag = repository.rpartition(":")
        if not _TAG.match(tag):
            raise InvalidReference(f"'{ref}' is not a valid image reference: the tag '{tag}' is malformed.")
    if not repository or any(not part for part in repository.split("/")) or ":" in repository:
        raise InvalidReference(f"'{ref}' is not a valid image reference.")
    return Reference(registry, repository, tag, digest or None)


def server_of(ref):
    """The registry host of a reference as credentials are matched (lower-cased; '' for Docker Hub or
    for text that is not a reference)."""
    try:
        return parse_reference(ref).server
    except InvalidReference:
        return ""


def _client():
    from azlocal.platform.engine.docker_client import client

    return client()


def has_image(ref):
    import docker.errors

    try:
        _client().images.get(str(ref))
        return True
    except docker.errors.ImageNotFound:
        return False


def pull(ref, credentials=None, progress=None):
    """Pulls `ref` (str or Reference) into the engine, with `credentials` ({username, password}) if
    given; `progress(chunk)` sees each status chunk the engine streams. A registry name the engine cannot
    resolve yet is retried for a while (see lookup). Raises the engine's error (an AzLocalError for
    an error the stream reports)."""
    from azlocal.platform.engine.lookup import retry_on_lookup

    reference = ref if isinstance(ref, Reference) else parse_reference(ref)
    client = _client()

    def pull_once():
        for chunk in client.api.pull(reference.name, tag=reference.version, auth_config=credentials, stream=True,
                                     decode=True):
            if "error" in chunk:
                raise AzLocalError(chunk["error"])
            if progress:
                progress(chunk)

    # Only a name azlocal serves can be one dockerd has not re-read yet; any other unknown host fails at once.
    from azlocal.platform import hosts

    if reference.host in hosts.entries():
        retry_on_lookup(pull_once)
    else:
        pull_once()


def ensure_image(ref, credentials=None, progress=None, warn=None):
    """Makes `ref` available to the engine. With credentials it is pulled with them; without, it is
    used if present, else a stand-in is built for a known sample image, else it is pulled (see
    standins). Returns True when a stand-in was built. Raises ImageUnavailable."""
    from azlocal.platform.engine import standins

    if credentials:
        try:
            pull(ref, credentials, progress)
        except Exception as ex:
            raise ImageUnavailable(str(ex), with_credentials=True) from ex
        return False
    try:
        return standins.ensure_image(_client(), str(ref), warn=warn)
    except AzLocalError as ex:
        raise ImageUnavailable(str(ex)) from ex
