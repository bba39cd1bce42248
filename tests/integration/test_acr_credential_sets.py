"""A cache rule with a credential set, end to end with the real docker client: the upstream is another registry
of this home with its admin user, whose username and password live in Key Vault; the set's own identity reads
them (access policy) at pull-through time; with a wrong password in the vault a new pull-through is refused."""

import random
import subprocess

import pytest

from tests.integration import busybox

pytestmark = pytest.mark.integration


def _docker(*args, input=None):
    return subprocess.run(["docker", *args], capture_output=True, text=True, input=input)


def test_a_cache_rule_pulls_through_with_credentials_read_from_key_vault(az, tmp_path):
    suffix = random.randint(10000, 99999)
    upstream, downstream, vault = f"azlup{suffix}", f"azldown{suffix}", f"azlcreds{suffix}"
    assert az("group", "create", "-n", "cred-rg", "-l", "eastus", "-o", "none").code == 0
    try:
        for name in (upstream, downstream):
            assert az("acr", "create", "-n", name, "-g", "cred-rg", "--sku", "Basic", "-o", "none").code == 0
        assert az("acr", "update", "-n", upstream, "--admin-enabled", "true", "-o", "none").code == 0
        creds = az("acr", "credential", "show", "-n", upstream).json()
        password = creds["passwords"][0]["value"]
        assert _docker("login", f"{upstream}.azurecr.io", "-u", upstream, "--password-stdin",
                       input=password).returncode == 0
        for tag in ("v1", "v2"):
            image = f"{upstream}.azurecr.io/samples/app:{tag}"
            busybox.build(busybox.write_context(tmp_path / tag, [f'CMD ["echo", "upstream {tag}"]']), image)
            assert _docker("push", image).returncode == 0
            _docker("rmi", image)
        _docker("logout", f"{upstream}.azurecr.io")

        r = az("keyvault", "create", "-n", vault, "-g", "cred-rg", "--enable-rbac-authorization", "false")
        assert r.code == 0, r.err
        for secret, value in (("up-user", upstream), ("up-pass", password)):
            assert az("keyvault", "secret", "set", "--vault-name", vault, "-n", secret, "--value", value,
                      "-o", "none").code == 0
        r = az("acr", "credential-set", "create", "-r", downstream, "-n", "upcreds", "-l", f"{upstream}.azurecr.io",
               "-u", f"https://{vault}.vault.azure.net/secrets/up-user",
               "-p", f"https://{vault}.vault.azure.net/secrets/up-pass")
        assert r.code == 0, r.err
        principal = r.json()["identity"]["principalId"]
        assert r.json()["authCredentials"][0]["credentialHealth"]["status"] == "Unhealthy"
        assert az("keyvault", "set-policy", "-n", vault, "--object-id", principal, "--secret-permissions", "get",
                  "-o", "none").code == 0
        shown = az("acr", "credential-set", "show", "-r", downstream, "-n", "upcreds").json()
        assert shown["authCredentials"][0]["credentialHealth"]["status"] == "Healthy"
        assert password not in az("acr", "credential-set", "show", "-r", downstream, "-n", "upcreds").out
        r = az("acr", "cache", "create", "-r", downstream, "-n", "up-rule", "-s", f"{upstream}.azurecr.io/samples/app",
               "-t", "app", "-c", "upcreds")
        assert r.code == 0, r.err

        assert az("acr", "login", "-n", downstream).code == 0
        pulled = f"{downstream}.azurecr.io/app:v1"
        pull = _docker("pull", pulled)
        assert pull.returncode == 0, pull.stderr
        assert _docker("run", "--rm", pulled).stdout.strip() == "upstream v1"
        _docker("rmi", pulled)

        # A wrong password in the vault (a new version): the next pull-through is refused by the upstream.
        assert az("keyvault", "secret", "set", "--vault-name", vault, "-n", "up-pass", "--value", "wrong",
                  "-o", "none").code == 0
        pull = _docker("pull", f"{downstream}.azurecr.io/app:v2")
        assert pull.returncode != 0 and "refused the credential set's credentials" in pull.stderr, pull.stderr
    finally:
        az("group", "delete", "-n", "cred-rg", "--yes")
        _docker("logout", f"{downstream}.azurecr.io")
