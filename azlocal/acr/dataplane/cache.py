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
