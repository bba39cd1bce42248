"""Tokens where the code runs, on real Docker: a container app replica and a job execution get
IDENTITY_ENDPOINT/IDENTITY_HEADER and busybox wget obtains a token with them; the real azure-identity
(ManagedIdentityCredential, DefaultAzureCredential) obtains one unchanged from the host with the app's values,
for the system- and a user-assigned identity; a removed identity stops at once; a container group gets a
token from IMDS at 169.254.169.254 (and IMDS's refusals without the header or without an identity)."""

import json
import subprocess
import time

import pytest
import requests

from tests.integration import busybox

pytestmark = pytest.mark.integration

BASE = "azlocal/busybox:latest"
VAULT = "https://vault.azure.net"
APP_SERVICE_GET = ('wget -q -O - --header "X-IDENTITY-HEADER: $IDENTITY_HEADER" '
                   '"$IDENTITY_ENDPOINT?api-version=2019-08-01&resource=https://vault.azure.net"')
IMDS_URL = "http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01&resource=" + VAULT


@pytest.fixture
def rg(az):
    yield from busybox.resource_group(az, "tok-rg")


def _claims(token):
    from azlocal.identity import tokens

    return tokens.verify(token, [VAULT])


def _app_exec(az, name, script):
    done = subprocess.run(["az", "containerapp", "exec", "-n", name, "-g", "tok-rg", "--command",
                           f"sh -c '{script}'"], env=az.env, capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_an_app_replica_and_azure_identity_get_tokens(az, rg, monkeypatch):
    user = az("identity", "create", "-g", rg, "-n", "app-id")
    assert user.code == 0, user.err
    user = user.json()
    assert az("containerapp", "env", "create", "-n", "tok-env", "-g", rg, "-l", "eastus", "-o", "none").code == 0
    r = az("containerapp", "create", "-n", "tokapp", "-g", rg, "--environment", "tok-env", "--image", BASE,
           "--command", "sleep", "--args", "3600", "--system-assigned", "--user-assigned", user["id"])
    assert r.code == 0, r.err
    system = r.json()["identity"]["principalId"]

    # Inside the replica, with busybox wget and the variables the platform set.
    answer = json.loads(_app_exec(az, "tokapp", APP_SERVICE_GET))
    assert answer["token_type"] == "Bearer" and answer["expires_on"].isdigit()
    assert _claims(answer["access_token"])["oid"] == system
    endpoint, header = _app_exec(az, "tokapp", 'echo "$IDENTITY_ENDPOINT"; echo "$IDENTITY_HEADER"').split()
    assert endpoint.startswith("http://") and endpoint.endswith("/msi/token")

    # From the host, the real azure-identity with the same variables.
    from azure.identity import DefaultAzureCredential, ManagedIdentityCredential

    for var in ("AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_CLIENT_SECRET", "AZURE_FEDERATED_TOKEN_FILE",
                "MSI_ENDPOINT", "MSI_SECRET", "IDENTITY_SERVER_THUMBPRINT", "IMDS_ENDPOINT"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("IDENTITY_ENDPOINT", endpoint)
    monkeypatch.setenv("IDENTITY_HEADER", header)
    token = ManagedIdentityCredential().get_token(VAULT + "/.default")
    assert _claims(token.token)["oid"] == system and token.expires_on > time.time() + 3600
    token = ManagedIdentityCredential(client_id=user["clientId"]).get_token(VAULT + "/.default")
    claims = _claims(token.token)
    assert (claims["oid"], claims["appid"]) == (user["principalId"], user["clientId"])
    token = DefaultAzureCredential().get_token(VAULT + "/.default")
    assert _claims(token.token)["oid"] == system
    token = DefaultAzureCredential(managed_identity_client_id=user["clientId"]).get_token(VAULT + "/.default")
    assert _claims(token.token)["oid"] == user["principalId"]

    # A wrong header is App Service's 401; a removed identity stops getting tokens at once.
    params = {"api-version": "2019-08-01", "resource": VAULT}
    wrong = requests.get(endpoint, params=params, headers={"X-IDENTITY-HEADER": header[:-3] + "abc"}, timeout=10)
    assert wrong.status_code == 401 and wrong.json()["statusCode"] == 401
    r = az("containerapp", "identity", "remove", "-n", "tokapp", "-g", rg, "--system-assigned")
    assert r.code == 0, r.err
    gone = requests.get(endpoint, params=dict(params, principal_id=system), headers={"X-IDENTITY-HEADER": header},
                        timeout=10)
    assert gone.status_code == 400 and "Managed Identity" in gone.json()["message"]
    left = requests.get(endpoint, params=params, headers={"X-IDENTITY-HEADER": header}, timeout=10).json()
    assert _claims(left["access_token"])["oid"] == user["principalId"]  # the only one left, no selector needed
    r = az("containerapp", "identity", "remove", "-n", "tokapp", "-g", rg, "--user-assigned", user["id"])
    assert r.code == 0, r.err
    none = requests.get(endpoint, params=params, headers={"X-IDENTITY-HEADER": header}, timeout=10)
    assert none.status_code == 400 and "no managed identity" in none.json()["message"]


def test_an_identity_assigned_later_serves_the_replicas_of_a_restarted_revision(az, rg):
    assert az("containerapp", "env", "create", "-n", "tok-env", "-g", rg, "-l", "eastus", "-o", "none").code == 0
    r = az("containerapp", "create", "-n", "later", "-g", rg, "--environment", "tok-env", "--image", BASE,
           "--command", "sleep", "--args", "3600")
    assert r.code == 0, r.err
    revision = r.json()["properties"]["latestRevisionName"]
    assert _app_exec(az, "later", 'echo "[$IDENTITY_ENDPOINT]"').strip() == "[]"  # no identity, no endpoint
    r = az("containerapp", "identity", "assign", "-n", "later", "-g", rg, "--system-assigned")
    assert r.code == 0, r.err
    principal = r.json()["principalId"]
    r = az("containerapp", "revision", "restart", "-n", "later", "-g", rg, "--revision", revision)
    assert r.code == 0, r.err
    assert _claims(json.loads(_app_exec(az, "later", APP_SERVICE_GET))["access_token"])["oid"] == principal


def test_a_job_execution_gets_a_token(az, rg, tmp_path):
    from azlocal.platform.store import store

    ctx = busybox.write_context(tmp_path / "jobbox", ['CMD ["sh", "-c", "eval \\"$JOB_SCRIPT\\""]'])
    image = busybox.build(ctx, "azlocal-test/jobbox:v1")
    assert az("containerapp", "env", "create", "-n", "tok-env", "-g", rg, "-l", "eastus", "-o", "none").code == 0
    script = f"{APP_SERVICE_GET} | grep -q access_token"
    r = az("containerapp", "job", "create", "-n", "tokjob", "-g", rg, "--environment", "tok-env", "--image", image,
           "--trigger-type", "Manual", "--replica-timeout", "60", "--replica-retry-limit", "0",
           "--mi-system-assigned", "--env-vars", f"JOB_SCRIPT={script}")
    assert r.code == 0, r.err
    job = r.json()
    execution = az("containerapp", "job", "start", "-n", "tokjob", "-g", rg)
    assert execution.code == 0, execution.err
    name = execution.json()["name"]
    deadline = time.monotonic() + 60
    status = "Running"
    while status == "Running" and time.monotonic() < deadline:
        time.sleep(0.5)
        status = store().get(f"{job['id']}/executions/{name}")["properties"]["status"]
    assert status == "Succeeded"


def _group_exec(az, name, command):
    r = az("container", "exec", "-g", "tok-rg", "-n", name, "--exec-command", command, input="")
    assert r.code == 0, r.err
    return r.out


def _imds_token(az, name, query=""):
    out = _group_exec(az, name, f"wget -q -O - --header 'Metadata: true' '{IMDS_URL}{query}'")
    answer = json.loads(out)
    assert answer["expires_in"].isdigit() and answer["token_type"] == "Bearer"
    return _claims(answer["access_token"])


def test_a_container_group_gets_a_token_from_imds(az, rg):
    user = az("identity", "create", "-g", rg, "-n", "group-id")
    assert user.code == 0, user.err
    user = user.json()
    r = az("container", "create", "-g", rg, "-n", "tokgroup", "--image", BASE, "--command-line", "sleep 3600",
           "--assign-identity", "[system]", user["id"])
    assert r.code == 0, r.err
    assert "IMDS" not in r.err, r.err
    principal = r.json()["identity"]["principalId"]
    assert _imds_token(az, "tokgroup")["oid"] == principal
    assert _imds_token(az, "tokgroup", f"&client_id={user['clientId']}")["oid"] == user["principalId"]
    refused = _group_exec(az, "tokgroup", f"sh -c \"wget -O - '{IMDS_URL}' 2>&1; true\"")
    assert "400" in refused and "access_token" not in refused
    # A group started again has a new pod namespace: IMDS is routed there again.
    for verb in ("stop", "start"):
        assert az("container", verb, "-g", rg, "-n", "tokgroup").code == 0
    assert _imds_token(az, "tokgroup")["oid"] == principal

    r = az("container", "create", "-g", rg, "-n", "plain", "--image", BASE, "--command-line", "sleep 3600")
    assert r.code == 0, r.err
    out = _group_exec(az, "plain", f"sh -c \"wget -O - --header 'Metadata: true' '{IMDS_URL}' 2>&1; true\"")
    assert "400" in out and "access_token" not in out
