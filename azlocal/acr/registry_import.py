"""`az acr import`: copies an image into a registry from another local registry or the Docker Engine.

Like ACR's server-side import, the copy is done on the user's behalf: the image is made
available to the engine (pulled from the source registry with its own credentials, or a
stand-in / an engine image), pushed to the target under the new names, and the engine is left
without the temporary tags.
"""

import re

from azlocal.acr import registries, run_steps
from azlocal.core.errors import AzLocalError, ValidationError
from azlocal.platform.engine import images as engine_images

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


def _source_reference(source, source_registry):
    """The engine-side name of the source, and the source registry's document if it is one of ours."""
    if source_registry:
        doc = registries.get(source_registry.split("/")[-1].split(".")[0])
        return f"{doc['loginServer']}/{source.split('/', 1)[1] if _has_registry(source) else source}", doc
    if _has_registry(source):
        host = source.split("/")[0].lower()
        if host.endswith(".azurecr.io"):
            doc = registries.find(host.split(".")[0])
            if doc is None:
                raise AzLocalError(f"The source registry '{host}' does not exist here.")
            return source, doc
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
    names = list(images or ([] if repositories_ else [_repository_path(source)]))
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
