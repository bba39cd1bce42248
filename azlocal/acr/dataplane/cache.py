"""Pull-through cache rules as the data plane serves them: a pull of a rule's target repository that
misses fetches the upstream image from what this machine has and stores it in the registry."""

import logging
import secrets
import threading

from azlocal.acr.dataplane.errors import RegistryError
from azlocal.acr.dataplane.names import is_digest

log = logging.getLogger("azlocal.acr.dataplane")
_locks = {}
_guard = threading.Lock()


def _lock_for(*key):
    with _guard:
        return _locks.setdefault(key, threading.Lock())


def pull_through_for(doc):
    """pull_through(storage, repository, reference) for a registry document. Rules are read at each miss
    (they are resources of their own, so the registry's cached view does not change when one is added);
    the callable returns False when no rule covers the repository."""
    name = doc["name"]

    def pull_through(storage, repository, reference):
        from azlocal.acr import cache_rules, registries

        current = registries.find(name)
        rule = cache_rules.rule_for(cache_rules.rules_of(current), repository) if current else None
        if rule is None:
            return False
        upstream = cache_rules.upstream_of(rule, repository)
        upstream += f"@{reference}" if is_digest(reference) else f":{reference}"
        with _lock_for(name, repository, reference):
            if _present(storage, repository, reference):
                return True  # a concurrent pull cached it meanwhile
            _fetch(current, rule, upstream, storage, repository, reference)
        return True

    return pull_through


def _present(storage, repository, reference):
    from azlocal.acr.dataplane import repository as repo_module

    try:
        repo_module.resolve(storage, repository, reference)
        return True
    except RegistryError:
        return False


def _fetch(doc, rule, upstream, storage, repository, reference):
    from azlocal.acr import registry_import

    tag = f"azlocal-cache-{secrets.token_hex(6)}" if is_digest(reference) else reference
    detail = {"name": repository, "reference": reference, "cacheRule": rule["name"], "upstream": upstream}
    credentials = _credentials(rule, detail)
    if _copy_from_local_registry(rule, upstream, storage, repository, reference, detail, credentials):
        return
    try:
        registry_import.cache_image(doc, upstream, repository, tag)
    except registry_import.UpstreamUnavailable as ex:
        raise RegistryError("MANIFEST_UNKNOWN", f"cache rule '{rule['name']}': {ex}", detail) from ex
    except Exception as ex:  # noqa: BLE001 - the pull fails with the reason, the daemon goes on
        log.warning("cache rule %s: caching %s into %s/%s failed: %s", rule["name"], upstream, doc["name"],
                    repository, ex)
        raise RegistryError("MANIFEST_UNKNOWN", f"cache rule '{rule['name']}': the upstream image '{upstream}' "
                            f"could not be cached: {ex}", detail) from ex
    if tag != reference:
        storage.delete_tag(repository, tag)  # a pull by digest caches the manifest, not a tag
    log.info("cache rule %s: cached %s as %s/%s", rule["name"], upstream, doc["name"], repository)


def _credentials(rule, detail):
    """(username, password) of the rule's credential set, read from Key Vault as the set's identity at each
    fetch (None without a set); a set whose secrets cannot be read fails the pull, as an unhealthy set does."""
    from azlocal.acr import credential_sets

    if not rule.get("credentialSetResourceId"):
        return None
    cred_set = credential_sets.find_by_id(rule["credentialSetResourceId"])
    if cred_set is None:
        raise RegistryError("MANIFEST_UNKNOWN", f"cache rule '{rule['name']}': its credential set "
                            f"'{rule['credentialSetResourceId']}' does not exist", detail)
    try:
        return credential_sets.resolve(cred_set)
    except credential_sets.CredentialsUnavailable as ex:
        log.warning("cache rule %s: credential set %s is unhealthy: %s", rule["name"], cred_set["name"], ex)
        raise RegistryError("MANIFEST_UNKNOWN", f"cache rule '{rule['name']}': the credential set "
                            f"'{cred_set['name']}' is unhealthy: {ex}", detail) from None


def _check_upstream_login(rule, source_doc, repository, credentials, detail):
    """A local upstream registry authenticates the set's credentials as it would a `docker login`, and they
    must allow pulling the repository."""
    from azlocal.acr.dataplane import auth, views

    view = views._view(source_doc)
    principal = auth.principal_from_basic(view, *credentials)
    if not principal or not auth.grant(view, principal, [{"type": "repository", "name": repository,
                                                          "actions": ["pull"]}]):
        raise RegistryError("MANIFEST_UNKNOWN", f"cache rule '{rule['name']}': the upstream registry "
                            f"'{source_doc['loginServer']}' refused the credential set's credentials for "
                            f"'{repository}'", detail)


def _copy_from_local_registry(rule, upstream, storage, repository, reference, detail, credentials=None):
    """An upstream in another registry of this home is copied storage to storage: the same manifests (an
    index with its images) and blobs, so digests stay what the upstream has. False for other upstreams."""
    from azlocal.acr import registries
    from azlocal.acr.dataplane import repository as repo_module
    from azlocal.acr.dataplane.storage import storage_for
    from azlocal.platform.engine import images

    reference_ = images.parse_reference(upstream)
    host = reference_.host
    source_doc = registries.find(host.split(".")[0].split("-")[0]) if host.endswith(".azurecr.io") else None
    if source_doc is None:
        return False
    if credentials is not None:
        _check_upstream_login(rule, source_doc, reference_.repository, credentials, detail)
    source = storage_for(registries.storage_root(source_doc["name"]))
    try:
        manifest = repo_module.resolve(source, reference_.repository, reference)
    except RegistryError as missing:
        raise RegistryError("MANIFEST_UNKNOWN", f"cache rule '{rule['name']}': the upstream image '{upstream}' is "
                            f"not in the local registry '{source_doc['name']}'", detail) from missing
    body, media_type = _copy_manifest(source, storage, reference_.repository, repository, manifest["digest"])
    repo_module.put(storage, repository, reference, body, media_type)
    log.info("cache rule %s: copied %s into %s", rule["name"], upstream, repository)
    return True


def _copy_manifest(source, target, source_repo, repository, digest):
    """Copies what a manifest needs (the manifests an index names, config and layer blobs) into `repository`
    of `target`; returns the manifest's body and media type."""
    from azlocal.acr.dataplane import manifests
    from azlocal.acr.dataplane import repository as repo_module

    row = source.manifest(source_repo, digest)
    body = source.read_blob(digest)
    parsed = manifests.parse(manifests.load(body), row["mediaType"])
    for child in parsed.children:
        child_body, child_type = _copy_manifest(source, target, source_repo, repository, child)
        repo_module.put(target, repository, child, child_body, child_type)
    for blob in parsed.blobs:
        if not target.blob_path(blob).exists():
            target.copy_blob_from(source, blob)  # decrypted and sealed as each registry keeps its blobs
        target.link(repository, blob)
    return body, row["mediaType"]

