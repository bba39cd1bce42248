"""The registry's AAD exchange, as ACR's: an AAD access token of this home's issuer becomes a refresh token of
its principal; access tokens and Basic logins with it carry what the principal's roles at the registry allow
(AcrPull pulls, AcrPush pushes, AcrDelete deletes, Reader pulls); a principal without a role gets ACR's 401."""

import asyncio
import base64

import jwt
import pytest

from azlocal.acr.dataplane import RegistryView, aad, auth, build_app
from azlocal.core import settings
from azlocal.identity import tokens

KEY = b"k" * 32
REG_ID = "/subscriptions/sub/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/reg"
PULLER, PUSHER, NOBODY, READER, DELETER = (f"11111111-0000-0000-0000-00000000000{i}" for i in range(1, 6))
# principal -> the RBAC actions its (fake) role assignments at the registry grant
ROLES = {PULLER: {aad.PROVIDER + "pull/read"}, PUSHER: {aad.PROVIDER + "pull/read", aad.PROVIDER + "push/write"},
         READER: {aad.PROVIDER + "pull/read"}, DELETER: {aad.PROVIDER + "artifacts/delete"}}


@pytest.fixture
def roles(monkeypatch):
    asked = []

    def allowed(principal, scope, action, data=None):
        asked.append((principal, scope, action))
        return scope == REG_ID and action in ROLES.get(principal, ())

    monkeypatch.setattr(aad, "_role_allows", allowed)
    return asked


def _view(root=None):
    return RegistryView(name="reg", login_server="reg.azurecr.io", root=root, token_key=KEY,
                        check_password=lambda u, p: False, check_aad_token=lambda t: t == "home-token",
                        resource_id=REG_ID)


def _aad(principal, resource="https://management.azure.com"):
    return tokens.issue(principal, "client-" + principal[-1], resource)["access_token"]


def _serve(view, calls):
    """Runs `calls(http, url)` against the registry app serving `view`; returns what it returns."""
    from aiohttp import ClientSession
    from aiohttp.test_utils import TestServer

    async def run():
        server = TestServer(build_app(lambda host: view))
        await server.start_server()
        try:
            async with ClientSession() as http:
                return await calls(http, server.make_url)
        finally:
            await server.close()

    return asyncio.run(run())


async def _exchange(http, url, token, **form):
    data = dict({"grant_type": "access_token", "service": "reg.azurecr.io", "access_token": token}, **form)
    async with http.post(url("/oauth2/exchange"), data=data) as r:
        return r.status, await r.json()


async def _access(http, url, refresh, scope):
    data = {"grant_type": "refresh_token", "service": "reg.azurecr.io", "scope": scope, "refresh_token": refresh}
    async with http.post(url("/oauth2/token"), data=data) as r:
        body = await r.json()
        return r.status, body


def _claims(token):
    return jwt.decode(token, options={"verify_signature": False})


def test_an_aad_token_becomes_a_refresh_token_of_its_principal(home, roles):
    async def calls(http, url):
        return await _exchange(http, url, _aad(PULLER), tenant=settings.TENANT_ID)

    status, body = _serve(_view(), calls)
    assert status == 200 and set(body) == {"refresh_token"}
    claims = auth.verify(_view(), body["refresh_token"], "refresh")
    assert claims["sub"] == PULLER and claims["tenant"] == settings.TENANT_ID and claims["grant_type"] == "refresh"
    assert aad.principal_of(claims) == "aad:" + PULLER


@pytest.mark.parametrize("case", ["vault audience", "forged", "expired", "garbage", "empty", "other tenant",
                                  "other service"])
def test_bad_aad_tokens_are_refused_with_acr_401(home, roles, case):
    from cryptography.hazmat.primitives.asymmetric import rsa

    good = _aad(PULLER)
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    token, form = {
        "vault audience": (_aad(PULLER, "https://vault.azure.net"), {}),
        "forged": (jwt.encode(_claims(good), other, algorithm="RS256"), {}),
        "expired": (tokens.issue(PULLER, "c", "https://management.azure.com", now=1_000_000)["access_token"], {}),
        "garbage": ("not.a.token", {}), "empty": ("", {}),
        "other tenant": (good, {"tenant": "99999999-9999-9999-9999-999999999999"}),
        "other service": (good, {"service": "other.azurecr.io"}),
    }[case]

    async def calls(http, url):
        return await _exchange(http, url, token, **form)

    status, body = _serve(_view(), calls)
    assert status == 401 and body["errors"][0]["code"] == "UNAUTHORIZED"


def test_the_registry_audience_and_the_home_token_are_taken(home, roles):
    async def calls(http, url):
        return [await _exchange(http, url, _aad(PULLER, "https://containerregistry.azure.net/.default")),
                await _exchange(http, url, "home-token"),
                await _exchange(http, url, _aad(settings.USER_OBJECT_ID))]

    (s1, b1), (s2, b2), (s3, b3) = _serve(_view(), calls)
    assert (s1, s2, s3) == (200, 200, 200)
    assert _claims(b1["refresh_token"])["sub"] == PULLER
    # the CLI's own token and the signed-in user's AAD token are the home's owner: every right
    assert _claims(b2["refresh_token"])["sub"] == "user" == _claims(b3["refresh_token"])["sub"]


SCOPE = "repository:app:pull,push,delete"


@pytest.mark.parametrize("principal, actions", [(PULLER, ["pull"]), (READER, ["pull"]), (PUSHER, ["pull", "push"]),
                                                (DELETER, ["delete"]), (NOBODY, None)])
def test_access_tokens_carry_what_the_roles_allow(home, roles, principal, actions):
    async def calls(http, url):
        _, body = await _exchange(http, url, _aad(principal))
        return await _access(http, url, body["refresh_token"], SCOPE)

    status, body = _serve(_view(), calls)
    assert status == 200
    claims = _claims(body["access_token"])
    assert claims["sub"] == principal
    expected = [{"type": "repository", "name": "app", "actions": actions}] if actions else []
    assert claims["access"] == expected
    assert (principal, REG_ID, aad.PROVIDER + "pull/read") in roles


def _basic(user, password):
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def test_a_principal_without_a_role_gets_acr_401_and_with_acrpull_pulls(home, roles, tmp_path):
    async def calls(http, url):
        out = {}
        for who in (PULLER, NOBODY):
            _, body = await _exchange(http, url, _aad(who))
            _, access = await _access(http, url, body["refresh_token"], "repository:app:pull")
            bearer = {"Authorization": "Bearer " + access["access_token"]}
            async with http.get(url("/v2/app/tags/list"), headers=bearer) as r:
                out[who, "bearer"] = (r.status, (await r.json())["errors"][0], r.headers.get("WWW-Authenticate"))
            basic = {"Authorization": _basic(auth.NULL_USER, body["refresh_token"])}
            async with http.get(url("/v2/app/tags/list"), headers=basic) as r:
                out[who, "basic"] = (r.status, (await r.json())["errors"][0])
            async with http.put(url("/v2/app/manifests/v1"), headers=basic, data=b"{}") as r:
                out[who, "push"] = r.status
        return out

    out = _serve(_view(tmp_path), calls)
    # with AcrPull the token passes and the repository is merely unknown; without, ACR's 401
    assert out[PULLER, "bearer"][0] == 404 and out[PULLER, "basic"][0] == 404
    status, error, challenge = out[NOBODY, "bearer"]
    assert status == 401 and error["code"] == "UNAUTHORIZED" and error["message"] == auth.AUTH_REQUIRED
    assert error["detail"] == [{"Type": "repository", "Name": "app", "Action": "pull"}]
    assert 'scope="repository:app:pull"' in challenge
    assert out[NOBODY, "basic"][0] == 401 and out[NOBODY, "basic"][1]["code"] == "UNAUTHORIZED"
    assert out[PULLER, "push"] == 401 == out[NOBODY, "push"]  # AcrPull does not push


def test_a_removed_role_stops_the_next_access_token(home, roles):
    async def calls(http, url):
        _, body = await _exchange(http, url, _aad(PULLER))
        first = await _access(http, url, body["refresh_token"], "repository:app:pull")
        ROLES[PULLER] = set()
        try:
            second = await _access(http, url, body["refresh_token"], "repository:app:pull")
        finally:
            ROLES[PULLER] = {aad.PROVIDER + "pull/read"}
        return first, second

    (s1, b1), (s2, b2) = _serve(_view(), calls)
    assert _claims(b1["access_token"])["access"][0]["actions"] == ["pull"]
    assert s2 == 200 and _claims(b2["access_token"])["access"] == []


def test_without_role_assignments_nothing_is_granted(home, monkeypatch):
    def missing(*a):
        raise ImportError("no azlocal.role.assignments")

    monkeypatch.setattr(aad, "_role_allows", missing)
    assert not aad.allows(_view(), "aad:" + PULLER, "pull")
    assert not aad.allows(RegistryView("reg", "reg.azurecr.io", None, KEY), "aad:" + PULLER, "pull")


@pytest.mark.parametrize("role, actions", [("AcrPull", ["pull"]), ("Reader", ["pull"]), ("AcrPush", ["pull", "push"]),
                                           ("AcrDelete", ["delete"]), ("Contributor", ["pull", "push", "delete"]),
                                           (None, None)])
def test_real_role_assignments_at_the_group_decide(cli, role, actions):
    """azlocal.role's assignments (at the registry's group: inherited by the registry) decide, unfaked."""
    from azlocal.role import assignments

    assert cli("group", "create", "-n", "rg", "-l", "westus").code == 0
    group = f"/subscriptions/{settings.SUBSCRIPTION_ID}/resourceGroups/rg"
    view = _view()
    view.resource_id = group + "/providers/Microsoft.ContainerRegistry/registries/reg"
    if role:
        assignments.create(role, PULLER, group, principal_type="ServicePrincipal")
    wanted = {"type": "repository", "name": "app", "actions": ["pull", "push", "delete"]}
    granted = aad.granted(view, "aad:" + PULLER, wanted)
    assert (granted or {}).get("actions") == actions


def test_with_authentication_as_arm_disabled_only_registry_audience_tokens_are_exchanged(home, roles):
    view = _view()
    view.arm_tokens = False

    async def calls(http, url):
        return [await _exchange(http, url, _aad(PULLER)),
                await _exchange(http, url, _aad(PULLER, "https://containerregistry.azure.net"))]

    (s1, b1), (s2, b2) = _serve(view, calls)
    assert s1 == 401 and "authentication-as-arm policy is disabled" in b1["errors"][0]["message"]
    assert s2 == 200 and _claims(b2["refresh_token"])["sub"] == PULLER


def test_the_view_follows_the_registrys_authentication_as_arm_policy(cli):
    from azlocal.acr.dataplane import views
    from tests.unit.test_validation_hardening import _seed_registry

    assert cli("group", "create", "-n", "rg", "-l", "eastus").code == 0
    _seed_registry("armreg1", "Premium")
    resolve = views.make_resolver()
    assert resolve("armreg1.azurecr.io").arm_tokens is True
    r = cli("acr", "config", "authentication-as-arm", "update", "-r", "armreg1", "--status", "disabled")
    assert r.code == 0 and "no effect" not in r.err
    view = resolve("armreg1.azurecr.io")
    assert view.arm_tokens is False and view.resource_id.lower().endswith("/registries/armreg1")
    assert view.abac is False
    r = cli("acr", "update", "-n", "armreg1", "--role-assignment-mode", "rbac-abac")
    assert r.code == 0, r.err
    assert resolve("armreg1.azurecr.io").abac is True


def test_the_clis_own_token_is_the_signed_in_users_aad_token_for_the_registry_audience(home, roles):
    from azlocal.acr import registries

    token = registries.arm_token()
    claims = tokens.verify(token, ["https://containerregistry.azure.net"])
    assert claims["oid"] == settings.USER_OBJECT_ID and claims["appid"] == registries.AZ_CLI_CLIENT_ID
    view = _view()
    view.check_aad_token, view.arm_tokens = None, False  # as the daemon's views: no shared secret, ARM tokens off

    async def calls(http, url):
        return await _exchange(http, url, token)

    status, body = _serve(view, calls)
    assert status == 200 and _claims(body["refresh_token"])["sub"] == "user"


@pytest.mark.parametrize("role, actions, catalog", [
    ("Container Registry Repository Reader", ["pull", "metadata_read"], False),
    ("Container Registry Repository Writer", ["pull", "push", "metadata_read", "metadata_write"], False),
    ("Container Registry Repository Contributor", ["pull", "push", "delete", "metadata_read", "metadata_write"],
     False),
    ("Container Registry Repository Catalog Lister", None, True),
    ("AcrPull", None, False), ("AcrPush", None, False), ("Owner", None, False), ("Reader", None, False)])
def test_in_abac_mode_only_the_repository_data_roles_count(cli, role, actions, catalog):
    """`--role-assignment-mode rbac-abac`: AcrPull/AcrPush and the control-plane roles are not honored."""
    from azlocal.role import assignments

    assert cli("group", "create", "-n", "rg", "-l", "westus").code == 0
    group = f"/subscriptions/{settings.SUBSCRIPTION_ID}/resourceGroups/rg"
    view = _view()
    view.resource_id, view.abac = group + "/providers/Microsoft.ContainerRegistry/registries/reg", True
    assignments.create(role, PULLER, group, principal_type="ServicePrincipal")
    granted = aad.granted(view, "aad:" + PULLER, {"type": "repository", "name": "app", "actions": ["*"]})
    assert (granted or {}).get("actions") == actions
    listed = aad.granted(view, "aad:" + PULLER, {"type": "registry", "name": "catalog", "actions": ["*"]})
    assert bool(listed) is catalog
    view.abac = False  # the same assignment in the default mode
    legacy = aad.granted(view, "aad:" + PULLER, {"type": "repository", "name": "app", "actions": ["pull"]})
    assert bool(legacy) is (role in ("AcrPull", "AcrPush", "Owner", "Reader"))


CONDITION = ("((!(ActionMatches{'Microsoft.ContainerRegistry/registries/repositories/content/read'}) AND "
             "!(ActionMatches{'Microsoft.ContainerRegistry/registries/repositories/metadata/read'})) OR "
             "(@Request[Microsoft.ContainerRegistry/registries/repositories:name] StringStartsWithIgnoreCase "
             "'backend/'))")


def test_in_abac_mode_a_repository_condition_limits_the_role_to_those_repositories(cli):
    from azlocal.role import assignments

    assert cli("group", "create", "-n", "rg", "-l", "westus").code == 0
    group = f"/subscriptions/{settings.SUBSCRIPTION_ID}/resourceGroups/rg"
    view = _view()
    view.resource_id, view.abac = group + "/providers/Microsoft.ContainerRegistry/registries/reg", True
    assignments.create("Container Registry Repository Reader", PULLER, group, principal_type="ServicePrincipal",
                       condition=CONDITION, condition_version="2.0")
    assignments.create("Container Registry Repository Reader", PUSHER, group, principal_type="ServicePrincipal",
                       condition="@Resource[something] StringEquals 'x'", condition_version="2.0")

    def pulls(principal, repo):
        return aad.granted(view, "aad:" + principal, {"type": "repository", "name": repo, "actions": ["pull"]})

    assert pulls(PULLER, "Backend/api") and pulls(PULLER, "backend/worker")
    assert not pulls(PULLER, "frontend/web") and not pulls(PULLER, "backend")
    assert not pulls(PUSHER, "x")  # a condition azlocal cannot read grants nothing
    assert aad._condition_admits("...repositories:name] StringLike 'team-*/app'", "team-a/app")
    assert not aad._condition_admits("...repositories:name] StringEquals 'App'", "app")
