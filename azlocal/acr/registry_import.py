"""`az acr import`: copies an image into a registry from another local registry or the Docker Engine.

Like ACR's server-side import, the copy is done on the user's behalf: the image is made
available to the engine (pulled from the source registry with its own credentials, or a
stand-in / an engine image), pushed to the target under the new names, and the engine is left
without the temporary tags.
"""

import re

from knack.log import get_logger

from azlocal.acr import registries, run_steps
from azlocal.core.errors import AzLocalError, ValidationError
from azlocal.platform.engine import images as engine_images

logger = get_logger(__name__)

SOURCE_NOT_FOUND = ("Source cannot be found. Please provide a valid image and source registry or a fully "
                    "qualified source.")
# The distribution reference grammar: [host[:port]/]component(/component)*[:tag][@digest].
_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_PATH = rf"{_COMPONENT}(?:/{_COMPONENT})*"
_HOST = r"(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]{1,5})?)"
_TAG = r"[\w][\w.-]{0,127}"
_DIGEST = r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}"
_HOST_RE = re.compile(rf"^{_HOST}$")
_REFERENCE = re.compile(rf"^{_PATH}(?::{_TAG})?(?:@{_DIGEST})?$")
_TARGET = re.compile(rf"^{_PATH}(?::{_TAG})?$")


class _QuietLog:
    def line(self, text=""):
        pass

    def raw(self, text):
        pass


SOURCE_REGISTRY_NOT_FOUND = ("The source container registry can not be found in the current subscription. Please "
                             "provide a valid address and/or credentials.")
CREDENTIALS_INVALID = "Authentication failed. Please provide password."
_REGISTRY_ID = re.compile(r"^/subscriptions/([^/]+)/resourceGroups/([^/]+)/providers/Microsoft\.ContainerRegistry/"
                          r"registries/([^/]+)$", re.IGNORECASE)


def _registry_by_id(resource_id):
    """A source registry given by ARM id: it must be this subscription's and in the group the id names."""
    from azlocal.core import settings

    subscription, group, name = _REGISTRY_ID.match(resource_id).groups()
    doc = registries.find(name)
    if (doc is None or subscription.lower() != settings.SUBSCRIPTION_ID.lower()
            or registries.group_of_doc(doc).lower() != group.lower()):
        raise AzLocalError(f"(InvalidParameters) Operation registries-import failed. The source registry "
                           f"'{resource_id}' was not found: it is not a registry of this azlocal home.")
    return doc


REGIONAL_ENDPOINT_IMPORT_WARNING = ("ACR imports do not support regional endpoint selection. This import will use "
                                    "the source registry's home region.")


def _warn_regional(host):
    if host.lower().endswith(".geo.azurecr.io") and len(host.split(".")) == 5:
        logger.warning(REGIONAL_ENDPOINT_IMPORT_WARNING)


def _source_registry(source_registry):
    """-r: a resource id, a registry name or a login server (a regional endpoint names its registry too)."""
    if _REGISTRY_ID.match(source_registry):
        return _registry_by_id(source_registry)
    _warn_regional(source_registry)
    host = source_registry.lower()
    name = host.split(".")[0].split("-")[0] if host.endswith(".azurecr.io") else host
    doc = registries.find(name)
    if doc is None:
        raise AzLocalError(SOURCE_REGISTRY_NOT_FOUND)
    return doc


def _source_reference(source, source_registry):
    """The engine-side name of the source, and the source registry's document if it is one of ours."""
    if source_registry:
        doc = _source_registry(source_registry)
        prefix = doc["loginServer"] + "/"
        if source.lower().startswith(prefix.lower()):
            logger.warning('The login server name of "%s" in the "--source" argument will be ignored as '
                           '"--registry" already supplies the same information', prefix[:-1])
            source = source[len(prefix):]
        return f"{doc['loginServer']}/{source}", doc
    if _has_registry(source):
        host = source.split("/")[0].lower()
        if host.endswith(".azurecr.io"):
            _warn_regional(host)
            doc = registries.find(host.split(".")[0].split("-")[0])
            if doc is None:
                raise AzLocalError(f"The source registry '{host}' does not exist here.")
            return f"{doc['loginServer']}/{source.split('/', 1)[1]}", doc
    return source, None


def _has_registry(image):
    first = image.split("/")[0]
    return "/" in image and ("." in first or ":" in first or first == "localhost")


def _repository_path(source):
    """docker.io/library/hello-world:latest -> library/hello-world:latest; hello-world -> hello-world:latest."""
    reference = engine_images.parse_reference(source)
    return f"{reference.repository}:{reference.tag or 'latest'}"


def import_image(registry, source, images=None, *, source_registry=None, force=False, username=None,
                 password=None, resource_group=None, repositories_=None):
    """`images`: target `repo:tag`s; `repositories_`: target repositories that get the image untagged."""
    from azlocal.acr import repositories
    from azlocal.platform.engine.docker_client import client as docker_client

    if username and not password:
        raise AzLocalError(CREDENTIALS_INVALID)
    target = registries.get(registry, resource_group)
    _check_names(source, (images or []) + (repositories_ or []))
    reference, source_doc = _source_reference(source, source_registry)
    if source_doc is not None and ((source_doc.get("policies") or {}).get("exportPolicy") or {}).get(
            "status") == "disabled":
        raise AzLocalError(f"(ExportPolicyDisabled) Artifacts cannot be exported from the registry "
                           f"'{source_doc['name']}': its export policy is disabled (az acr update --allow-exports).")
    client = docker_client()
    if source_doc is not None:
        auth = {"username": username, "password": password} if username else run_steps.registry_auth(source_doc)
        try:
            engine_images.pull(reference, auth)
        except Exception as ex:
            raise AzLocalError(f"(InvalidParameters) Operation registries-import failed: the source image "
                               f"'{source}' could not be read: {ex}") from ex
    else:
        run_steps.ensure_image(client, reference, target, _QuietLog())
    names = list(images or ([] if repositories_ else [_repository_path(reference)]))
    if not force:
        for name in names:
            name_repo, name_tag = run_steps.split_tag(name)
            if name_tag in _existing_tags(repositories, target["name"], name_repo):
                raise AzLocalError(f"(Conflict) Tag {name_tag} already exists in target registry. Use --force to "
                                   "overwrite it.")
    auth = run_steps.registry_auth(target)
    image = client.images.get(reference)
    for name in names:
        _push_as(client, image, f"{target['loginServer']}/{name}", auth)
    for repository in repositories_ or []:
        # A manifest with no tag: pushed under a throw-away tag that is then removed from the registry.
        import secrets as pysecrets

        temporary = f"{repository}:azlocal-import-{pysecrets.token_hex(6)}"
        _push_as(client, image, f"{target['loginServer']}/{temporary}", auth)
        repositories.untag(target["name"], temporary, None, None)


def _push_as(client, image, qualified, auth):
    """Tags the image locally as `qualified`, pushes it, and drops the local tag again."""
    q_repo, q_tag = run_steps.split_tag(qualified)
    image.tag(q_repo, q_tag)
    try:
        run_steps.push_image(client, qualified, auth, _QuietLog())
    finally:
        client.images.remove(qualified, noprune=True)


def _check_names(source, images):
    """Refuses, before anything is pulled or tagged, a source or target that is not an image reference."""
    # As Docker: the first component names a registry only if it has a '.' or a ':' or is localhost.
    host, path = source.split("/", 1) if _has_registry(source) else ("", source)
    if len(source) > 255 or host and not _HOST_RE.match(host) or not _REFERENCE.match(path):
        raise ValidationError(SOURCE_NOT_FOUND)
    for name in images or []:
        if len(name) > 255 or not _TARGET.match(name or ""):
            raise ValidationError(f"(InvalidParameters) The target tag '{name[:255]}' is not a valid image name: "
                                  "use lower-case 'repository[:tag]'.")


def _existing_tags(repositories, registry_name, repository):
    try:
        return set(repositories.show_tags(registry_name, repository))
    except AzLocalError:
        return set()


# Pull-through caching (cache rules; called by the data plane off its event loop) ---------------

class UpstreamUnavailable(AzLocalError):
    """A cache rule's upstream image is nowhere on this machine (and nothing is fetched from the internet)."""


def cache_image(target, upstream, repository, tag):
    """Pushes `upstream` (`<host>/<path>[:tag|@digest]`) into the registry document `target` as
    `repository:tag`, from the Docker Engine's images or a course stand-in (another registry of this home
    is copied by the data plane itself). Raises UpstreamUnavailable when neither has it."""
    from azlocal.platform.engine import standins
    from azlocal.platform.engine.docker_client import client as docker_client

    reference = str(engine_images.parse_reference(upstream))
    client = docker_client()
    if not engine_images.has_image(reference):
        if not standins.is_known(reference):
            raise UpstreamUnavailable(
                f"the upstream image '{upstream}' cannot be fetched offline: it is not in this machine's Docker "
                "Engine, in another registry of this azlocal home, nor one of the course stand-ins. Pull, load or "
                f"build it into the Docker Engine (e.g. `docker pull {upstream}` where there is a network, or "
                "`docker load`), then pull again.")
        standins.ensure_image(client, reference)
    image = client.images.get(reference)
    _push_as(client, image, f"{target['loginServer']}/{repository}:{tag}", run_steps.registry_auth(target))
