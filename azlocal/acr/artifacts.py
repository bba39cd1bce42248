"""`az acr manifest …` beyond show/delete (list, referrers, metadata, soft-deleted artifacts and their restore)
and `az acr repository list-deleted`: the registry's /v2 and /acr/v1 APIs through its data plane, as az calls
them. An artifact is named `-r R -n repo[:tag|@digest]` or by a fully qualified positional
`R.azurecr.io/repo[:tag|@digest]`, with az's checks and messages."""

from datetime import datetime, timedelta

from azlocal.acr import registry_config, repositories
from azlocal.acr.registry_options import LOGIN_SUFFIX
from azlocal.core.errors import AzLocalError

BAD_ARGS_ERROR_REPO = ("You must provide either a fully qualified repository specifier such as 'myregistry.azurecr.io/"
                       "hello-world' as a positional parameter or provide '-r MyRegistry -n hello-world' argument "
                       "values.")
BAD_ARGS_ERROR_MANIFEST = ("You must provide either a fully qualified manifest specifier such as 'myregistry.azurecr.io"
                           "/hello-world:latest' as a positional parameter or provide '-r MyRegistry -n hello-world:"
                           "latest' argument values.")
BAD_REPO_FQDN = ("The positional parameter 'repo_id' must be a fully qualified repository specifier such as "
                 "'myregistry.azurecr.io/hello-world'.")
BAD_PERM_REPO_FQDN = ("The positional parameter 'perm_repo_id' must be a fully qualified repository specifier such as "
                      "'myregistry.azurecr.io/hello-world'. It may optionally specify a tag such as "
                      "'myregistry.azurecr.io/hello-world:latest'.")
BAD_MANIFEST_FQDN = ("The positional parameter 'manifest_id' must be a fully qualified manifest specifier such as "
                     "'myregistry.azurecr.io/hello-world:latest' or 'myregistry.azurecr.io/hello-world@sha256:abc123'.")


def parse_image_name(image, allow_digest=False, default_latest=True):
    """(repository, tag, digest) as az's parse_image_name reads `repo`, `repo:tag` and `repo@digest`."""
    if allow_digest and "@" in image:
        tokens = image.split("@")
        if len(tokens) == 2:
            return tokens[0], None, tokens[1]
    if ":" in image and "@" not in image:
        tokens = image.split(":")
        if len(tokens) == 2:
            return tokens[0], tokens[1], None
    if ":" not in image and "@" not in image:
        return image, "latest" if default_latest else None, None
    raise AzLocalError("The name of the image may include a tag in the format 'name:tag' or digest in the format "
                       "'name@digest'.")


def _fqdn(fqdn, bad, is_manifest=True, allow_digest=True, default_latest=True):
    """(registry, repository, tag, digest) of a fully qualified specifier."""
    if fqdn.startswith("https://"):
        fqdn = fqdn[len("https://"):]
    if "/" not in fqdn or "." not in fqdn.split("/", 1)[0]:
        raise AzLocalError(bad)
    address, spec = fqdn.split("/", 1)
    registry, suffix = address.split(".", 1)
    if "." + suffix != LOGIN_SUFFIX:
        raise AzLocalError(f"Provided registry suffix '.{suffix}' does not match the configured az cli acr login "
                           f"server suffix '{LOGIN_SUFFIX}'. Check the 'acrLoginServerEndpoint' value when running "
                           "'az cloud show'.")
    if not is_manifest and ":" in spec:
        raise AzLocalError("The positional parameter 'repo_id' should not include a tag or digest.")
    return (registry,) + parse_image_name(spec, allow_digest=allow_digest, default_latest=default_latest)


def check_ids(ids, bad, no_digest=False):
    """az's validator of a positional specifier: it must look fully qualified."""
    if ids:
        first = ids[0]
        if "." not in first or "/" not in first or (no_digest and "@" in first):
            raise AzLocalError(bad)


def repository_of(registry, name, repo_id):
    """(registry, repository) of a repository command."""
    check_ids(repo_id, BAD_REPO_FQDN)
    if (repo_id and name) or (not repo_id and not (registry and name)):
        raise AzLocalError(BAD_ARGS_ERROR_REPO)
    if repo_id:
        registry, name, _, _ = _fqdn(repo_id[0], BAD_REPO_FQDN, is_manifest=False)
    elif ":" in name:
        raise AzLocalError("Parameter 'name' refers to a repository and should not include a tag or digest.")
    return registry, name


def manifest_of(registry, name, manifest_id):
    """(registry, repository, tag, digest) of a manifest command."""
    check_ids(manifest_id, BAD_MANIFEST_FQDN)
    if (manifest_id and name) or (not manifest_id and not (registry and name)):
        raise AzLocalError(BAD_ARGS_ERROR_MANIFEST)
    if manifest_id:
        return _fqdn(manifest_id[0], BAD_MANIFEST_FQDN)
    return (registry,) + parse_image_name(name, allow_digest=True)


def _image(repo, tag, digest):
    return f"{repo}:{tag}" if tag else f"{repo}@{digest}"


def _client(registry, username=None, password=None):
    return repositories._client(registry, username, password)


# Listing and metadata ---------------------------------------------------------------------------

def list_metadata(registry, name, repo_id, *, top=None, orderby=None, username=None, password=None):
    registry, repo = repository_of(registry, name, repo_id)
    return repositories.show_manifests(registry, repo, detail=True, orderby=orderby, top=top, username=username,
                                       password=password)


def list_manifests(registry, name, repo_id, *, top=None, orderby=None, username=None, password=None):
    """The manifests themselves (each fetched from /v2), in the order of their metadata."""
    registry, repo = repository_of(registry, name, repo_id)
    found = repositories.show_manifests(registry, repo, detail=True, orderby=orderby, top=top, username=username,
                                        password=password)
    return [repositories.manifest_show(registry, f"{repo}@{m['digest']}", None, username=username, password=password)
            for m in found]


def show_metadata(registry, name, manifest_id, username=None, password=None):
    registry, repo, tag, digest = manifest_of(registry, name, manifest_id)
    return repositories.show(registry, _image(repo, tag, digest), None, username, password)


def update_metadata(registry, name, manifest_id, *, delete_enabled=None, list_enabled=None, read_enabled=None,
                    write_enabled=None, username=None, password=None):
    registry, repo, tag, digest = manifest_of(registry, name, manifest_id)
    changes = (delete_enabled, list_enabled, read_enabled, write_enabled)
    if all(v is None for v in changes):
        return repositories.show(registry, _image(repo, tag, digest), None, username, password)
    return repositories.update(registry, _image(repo, tag, digest), None, delete_enabled=delete_enabled,
                               list_enabled=list_enabled, read_enabled=read_enabled, write_enabled=write_enabled,
                               username=username, password=password)


def list_referrers(registry, name, manifest_id, *, artifact_type=None, recursive=False, username=None,
                   password=None):
    registry, repo, tag, digest = manifest_of(registry, name, manifest_id)
    client = _client(registry, username, password)
    if not digest:
        digest = client.call("GET", f"/acr/v1/{repo}/_tags/{tag}", f"repository:{repo}:metadata_read").json()[
            "tag"]["digest"]
    scope = f"repository:{repo}:pull"
    params = {"artifactType": artifact_type} if artifact_type else None
    found = client.call("GET", f"/v2/{repo}/referrers/{digest}", scope, params=params).json().get("manifests") or []
    result = {"manifests": list(found)}
    if recursive:
        for entry in found:
            inner = client.call("GET", f"/v2/{repo}/referrers/{entry['digest']}", scope).json()
            result["manifests"] += inner.get("manifests") or []
    return result


# Soft-deleted artifacts ---------------------------------------------------------------------------

def _expires(ts_string, days):
    """az's expiresAfter: the deletion time with `days` added to its date."""
    date_string, time_string = ts_string.split("T", 1)
    expire = datetime.strptime(date_string, "%Y-%m-%d") + timedelta(days=days)
    return expire.strftime("%Y-%m-%d") + "T" + time_string


def list_deleted(registry, name, repo_id, username=None, password=None):
    registry, repo = repository_of(registry, name, repo_id)
    client = _client(registry, username, password)
    found = client.paged(f"/acr/v1/_deleted/{repo}/_manifests", f"repository:{repo}:deleted_read", "manifests")
    days = registry_config.soft_delete_days(registry)
    return [dict(m, expiresAfter=_expires(m["deletedAt"], days)) for m in found]


def _deleted_tags(client, repo):
    return client.paged(f"/acr/v1/_deleted/{repo}/_tags", f"repository:{repo}:deleted_read", "tags")


def list_deleted_tags(registry, name, perm_repo_id, username=None, password=None):
    check_ids(perm_repo_id, BAD_PERM_REPO_FQDN, no_digest=True)
    if (perm_repo_id and name) or (not perm_repo_id and not (registry and name)):
        raise AzLocalError(BAD_ARGS_ERROR_REPO)
    if perm_repo_id:
        registry, repo, tag, _ = _fqdn(perm_repo_id[0], BAD_PERM_REPO_FQDN, allow_digest=False, default_latest=False)
    else:
        repo, tag, _ = parse_image_name(name, allow_digest=False, default_latest=False)
    found = _deleted_tags(_client(registry, username, password), repo)
    if tag:
        found = [t for t in found if t["tag"] == tag]
    days = registry_config.soft_delete_days(registry)
    return [dict(t, expiresAfter=_expires(t["deletedAt"], days)) for t in found]


def restore(registry, name, manifest_id, *, digest=None, force=False, confirm=None, username=None, password=None):
    """Restores a soft-deleted manifest (the most recently deleted one of the tag without --digest).
    `confirm(question)` is asked when the tag had several."""
    check_ids(manifest_id, BAD_MANIFEST_FQDN)
    if (manifest_id and name) or (not manifest_id and not (registry and name)):
        raise AzLocalError(BAD_ARGS_ERROR_MANIFEST)
    if manifest_id:
        registry, repo, tag, _ = _fqdn(manifest_id[0], BAD_MANIFEST_FQDN, allow_digest=False)
    else:
        repo, tag, _ = parse_image_name(name, allow_digest=False, default_latest=False)
    client = _client(registry, username, password)
    if not digest:
        digests = [t["digest"] for t in _deleted_tags(client, repo) if t["tag"] == tag]
        if not digests:
            raise AzLocalError(f"No deleted manifests found for tag: {tag}")
        digest = digests[-1]
        if len(digests) > 1 and confirm:
            confirm(f"Multiple deleted manifests found for tag: {tag}. Restoring most recently deleted"
                    f"manifest with digest: {digest}. Is this okay?")
    response = client.call("POST", f"/acr/v1/_deleted/{repo}/_manifests/{digest}",
                           f"repository:{repo}:deleted_read,deleted_restore", params={"force": force},
                           json={"tag": tag})
    return response.json()


def repository_list_deleted(registry, username=None, password=None):
    return _client(registry, username, password).paged("/acr/v1/_deleted/_catalog", "registry:catalog:*",
                                                       "repositories")

