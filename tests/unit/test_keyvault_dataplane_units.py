"""The Key Vault data plane's pure parts: which operation a path is, names and versions checked as the service
checks them, api-version, paging tokens and pages, the bearer token check (this home's issuer), error bodies."""

import json

import pytest

from azlocal.keyvault.dataplane import auth, errors, paging, routes
from azlocal.keyvault.dataplane.errors import VaultError

V = "0123456789abcdef0123456789abcdef"


@pytest.mark.parametrize("method,path,target", [
    ("GET", "/secrets", "secrets_api.list_secrets"),
    ("GET", "/secrets/", "secrets_api.list_secrets"),
    ("PUT", "/secrets/db-pass", "secrets_api.set_secret"),
    ("GET", "/secrets/db-pass/", "secrets_api.get_secret"),
    ("GET", f"/secrets/db-pass/{V}", "secrets_api.get_secret"),
    ("PATCH", f"/secrets/db-pass/{V}", "secrets_api.update_secret"),
    ("GET", "/secrets/db-pass/versions", "secrets_api.list_versions"),
    ("DELETE", "/secrets/db-pass", "secrets_api.delete_secret"),
    ("GET", "/deletedsecrets", "secrets_api.list_deleted"),
    ("GET", "/deletedsecrets/db-pass", "secrets_api.get_deleted"),
    ("DELETE", "/deletedsecrets/db-pass", "secrets_api.purge"),
    ("POST", "/deletedsecrets/db-pass/recover", "secrets_api.recover"),
    ("POST", "/keys/k1/create", "keys_api.create_key"),
    ("GET", "/keys/k1/", "keys_api.get_key"),
    ("POST", f"/keys/k1/{V}/wrapkey", "keys_api.wrapkey"),
    ("POST", "/keys/k1//unwrapkey", "keys_api.unwrapkey"),
    ("POST", f"/keys/k1/{V}/verify", "keys_api.verify"),
    ("POST", "/deletedkeys/k1/recover", "keys_api.recover"),
])
def test_paths_name_their_operations(method, path, target):
    assert routes.resolve(method, routes.parse(path)) == target


def test_the_latest_version_is_an_empty_segment():
    p = routes.parse("/secrets/a/")
    assert (p.name, p.version) == ("a", "")
    assert routes.parse("/keys/a//encrypt").version == ""
    assert routes.parse("/secrets/a").version is None


@pytest.mark.parametrize("path,message", [
    ("/secrets/bad_name", "The request URI contains an invalid name: bad_name"),
    ("/secrets/" + "a" * 128, "invalid name"),
    ("/secrets/a/not-a-version", "invalid version: not-a-version"),
])
def test_bad_names_and_versions_are_the_services_400(path, message):
    with pytest.raises(VaultError) as ex:
        routes.parse(path)
    assert (ex.value.status, ex.value.code) == (400, "BadParameter") and message in ex.value.message


def test_unknown_unserved_and_wrong_method():
    with pytest.raises(VaultError) as ex:
        routes.resolve("GET", routes.parse("/nothing/here"))
    assert ex.value.status == 404
    for path in ("/certificates/c1", "/secrets/restore", "/keys/k1/rotate", "/keys/k1/backup"):
        with pytest.raises(VaultError) as ex:
            routes.resolve("POST" if "certificates" not in path else "GET", routes.parse(path))
        assert (ex.value.status, ex.value.code) == (501, "NotImplemented") and "offline" in ex.value.message
    with pytest.raises(VaultError) as ex:
        routes.resolve("POST", routes.parse("/secrets/a"))
    assert (ex.value.status, ex.value.code) == (405, "MethodNotAllowed")


def test_api_version_is_required_and_recognized():
    assert routes.api_version({"api-version": "7.4"}) == "7.4"
    assert routes.api_version({"api-version": "2026-04-01"}) == "2026-04-01"
    assert routes.api_version({"api-version": "7.6-preview.2"}) == "7.6-preview.2"
    for query in ({}, {"api-version": ""}, {"api-version": "latest"}):
        with pytest.raises(VaultError) as ex:
            routes.api_version(query)
        assert ex.value.code == "BadParameter"


def _items(n):
    return [{"id": f"https://kv.vault.azure.net/secrets/s{i:02d}"} for i in range(n)]


def _next_query(link):
    from urllib.parse import parse_qs, urlparse

    return {k: v[0] for k, v in parse_qs(urlparse(link).query).items()}


def test_pages_follow_next_links_without_repeats_or_gaps():
    items, seen, query = _items(60), [], {"api-version": "7.4"}
    pages = 0
    while True:
        page = paging.page(items, query, "https://kv.vault.azure.net/secrets", "7.4")
        pages += 1
        seen += [i["id"] for i in page["value"]]
        assert len(page["value"]) <= paging.MAX_RESULTS
        if not page["nextLink"]:
            break
        assert page["nextLink"].startswith("https://kv.vault.azure.net/secrets?api-version=7.4&")
        query = _next_query(page["nextLink"])
    assert pages == 3 and seen == sorted(i["id"] for i in items)


def test_a_page_continues_after_its_marker_when_items_change_between_pages():
    items = _items(5)
    first = paging.page(items, {"maxresults": "2"}, "u", "7.4")
    assert [i["id"][-3:] for i in first["value"]] == ["s00", "s01"]
    query = _next_query(first["nextLink"])
    assert query["maxresults"] == "2"
    del items[0]  # s00 deleted between pages: the next page still starts at s02
    second = paging.page(items, query, "u", "7.4")
    assert [i["id"][-3:] for i in second["value"]] == ["s02", "s03"]
    assert paging.page(_items(2), {}, "u", "7.4")["nextLink"] is None


@pytest.mark.parametrize("raw", ["0", "26", "x", "-1"])
def test_maxresults_is_one_to_twenty_five(raw):
    with pytest.raises(VaultError) as ex:
        paging.max_results({"maxresults": raw})
    assert ex.value.code == "BadParameter" and "maxresults" in ex.value.message


def test_a_forged_skiptoken_is_a_bad_parameter():
    with pytest.raises(VaultError):
        paging.page(_items(3), {"$skiptoken": "!!not-base64"}, "u", "7.4")


def test_a_missing_token_gets_the_challenge(home):
    with pytest.raises(VaultError) as ex:
        auth.check(None)
    err = ex.value
    assert (err.status, err.code) == (401, "Unauthorized") and err.message.startswith("AKV10000")
    from azlocal.core import settings

    assert err.headers["WWW-Authenticate"] == (f'Bearer authorization="https://login.microsoftonline.com/'
                                               f'{settings.TENANT_ID}", resource="https://vault.azure.net"')
    assert auth.bearer_of("Basic abc") is None and auth.bearer_of("Bearer ") is None
    assert auth.bearer_of("bearer tok") == "tok"


def test_the_challenge_is_one_the_sdk_accepts(home):
    from azure.keyvault.secrets._shared.challenge_auth_policy import _validate_challenge_resource
    from azure.keyvault.secrets._shared.http_challenge import HttpChallenge

    from azlocal.core import settings

    url = "https://kv1.vault.azure.net/secrets/a?api-version=7.4"
    challenge = HttpChallenge(url, errors.challenge())
    assert challenge.tenant_id == settings.TENANT_ID
    assert challenge.get_resource() == "https://vault.azure.net"
    _validate_challenge_resource(challenge.get_resource() + "/.default", url)  # raises when the domain differs


def test_tokens_are_checked_by_audience_issuer_and_lifetime(home):
    from azlocal.identity import tokens

    good = tokens.issue("p-1", "c-1", "https://vault.azure.net/.default")["access_token"]
    caller = auth.check(good)
    assert caller.principal() == {"oid": "p-1", "appid": "c-1", "iss": tokens.issuer()}
    other = tokens.issue("p-1", "c-1", "https://management.azure.com/")["access_token"]
    with pytest.raises(VaultError) as ex:
        auth.check(other)
    assert ex.value.status == 401 and "AKV10022: Invalid audience" in ex.value.message
    assert "WWW-Authenticate" in ex.value.headers
    old = tokens.issue("p-1", "c-1", "https://vault.azure.net", now=1_000_000)["access_token"]
    with pytest.raises(VaultError) as ex:
        auth.check(old)
    assert ex.value.status == 401 and "expired" in ex.value.message
    for bad in ("garbage", good[:-4] + "AAAA"):
        with pytest.raises(VaultError) as ex:
            auth.check(bad)
        assert ex.value.status == 401


def test_service_errors_render_as_key_vaults_bodies():
    from azlocal.keyvault import errors as kv_errors

    err = errors.from_exception(kv_errors.object_not_found("secret", "db"))
    resp = errors.response(err)
    body = json.loads(resp.body)
    assert resp.status == 404 and body["error"]["code"] == "SecretNotFound"
    assert body["error"]["message"].startswith("A secret with (name/id) db was not found")
    forbidden = errors.response(errors.from_exception(kv_errors.Forbidden("no", inner="ForbiddenByRbac")))
    assert forbidden.status == 403 and json.loads(forbidden.body)["error"] == {
        "code": "Forbidden", "message": "no", "innererror": {"code": "ForbiddenByRbac"}}
    assert errors.from_exception(ValueError("x")) is None
    from azlocal.core.errors import AzLocalError

    assert errors.from_exception(AzLocalError("bad date")).status == 400


def test_the_issuer_key_is_parsed_once_not_per_request(home, monkeypatch):
    """Every data-plane request checks a token: parsing the RSA key each time cost ~40 ms a request."""
    from azlocal.identity import tokens

    token = tokens.issue("p-1", "c-1", "https://vault.azure.net")["access_token"]
    calls = []
    real = tokens.serialization.load_pem_private_key
    monkeypatch.setattr(tokens.serialization, "load_pem_private_key", lambda *a, **k: calls.append(1) or real(*a, **k))
    for _ in range(20):
        auth.check(token)
    assert len(calls) <= 1


def test_secret_store_reads_during_writes_and_keys_made_once(home):
    """The daemon reads the issuer key on every request while other requests write the secret store: a read
    must never see a missing or half-written value (it made a new issuer key, invalidating every token), and
    a key asked for by many threads at once is made once."""
    import threading

    from azlocal.platform import secrets

    secrets.set_secret("test/steady", "steady-value")
    seen, made = [], []

    def writer():
        for i in range(60):
            secrets.set_secret(f"test/churn-{i % 5}", "x" * 2000)

    def reader():
        for _ in range(120):
            seen.append(secrets.get_secret("test/steady"))

    def creator():
        seen_key = secrets.get_or_create("test/once", lambda: made.append(1) or f"made-{len(made)}")
        seen.append("steady-value" if seen_key == "made-1" else seen_key)

    threads = [threading.Thread(target=writer)] + [threading.Thread(target=reader) for _ in range(4)] + \
        [threading.Thread(target=creator) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert set(seen) == {"steady-value"} and len(made) == 1
