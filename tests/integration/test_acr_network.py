"""ACR network access (issue 12, item 4): IP rules and public network access enforced by the daemon on the client
address it sees, with ACR's 403 text; show-endpoints and the data endpoint; check-health; bad input."""

import json
import random
import subprocess

import pytest

from tests.integration import busybox

pytestmark = pytest.mark.integration

DENIED = "client with IP '127.0.0.1' is not allowed access. Refer https://aka.ms/acr/firewall to grant access."


@pytest.fixture
def group(az):
    assert az("group", "create", "-n", "net-rg", "-l", "eastus", "-o", "none").code == 0
    yield "net-rg"
    az("group", "delete", "-n", "net-rg", "--yes")


def _registry(az, sku):
    name = f"aznet{random.randint(100000, 999999)}"
    r = az("acr", "create", "-n", name, "-g", "net-rg", "--sku", sku, "-o", "none")
    assert r.code == 0, r.err
    return name


def _curl(home, host, path="/v2/", method="GET"):
    """(status, body) of a request to the daemon as the registry `host`, from 127.0.0.1."""
    port = json.loads((home / "daemon.json").read_text())["port"]
    out = subprocess.run(["curl", "-sS", "-X", method, "-H", f"Host: {host}", "-w", "\n%{http_code}", "--max-time",
                          "10", f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True)
    body, _, status = out.stdout.rpartition("\n")
    return int(status), body


def _push(image):
    return subprocess.run(["docker", "push", image], capture_output=True, text=True)


def test_ip_rules_and_public_access_are_enforced(az, home, group, tmp_path):
    basic = _registry(az, "Basic")
    r = az("acr", "network-rule", "add", "-n", basic, "--ip-address", "127.0.0.1")
    assert r.code == 1 and "Network rules are only supported for managed registries in Premium SKU." in r.err
    reg = _registry(az, "Premium")
    server = f"{reg}.azurecr.io"
    image = busybox.build(busybox.write_context(tmp_path / "ctx"), f"{server}/app:v1")
    assert az("acr", "login", "-n", reg).code == 0

    assert az("acr", "update", "-n", reg, "--default-action", "Deny", "-o", "none").code == 0
    r = az("acr", "network-rule", "add", "-n", reg, "--ip-address", "127.0.0.1")
    assert r.code == 0, r.err
    assert r.json()["networkRuleSet"] == {"defaultAction": "Deny", "virtualNetworkRules": [],
                                          "ipRules": [{"action": "Allow", "ipAddressOrRange": "127.0.0.1"}]}
    push = _push(image)
    assert push.returncode == 0, push.stderr

    # A bad address: az's error, nothing changed.
    r = az("acr", "network-rule", "add", "-n", reg, "--ip-address", "300.1.2.3")
    assert r.code == 1 and "300.1.2.3" in r.err and "not a valid" in r.err
    assert az("acr", "network-rule", "list", "-n", reg).json() == {
        "ipRules": [{"action": "Allow", "ipAddressOrRange": "127.0.0.1"}], "virtualNetworkRules": []}
    r = az("acr", "network-rule", "add", "-n", reg, "--subnet", "default", "--vnet-name", "vnet1")
    assert r.code == 1 and "there are none offline" in r.err

    # The rule removed: docker, curl (every data-plane route) and az are refused with ACR's text.
    r = az("acr", "network-rule", "remove", "-n", reg, "--ip-address", "127.0.0.1")
    assert r.code == 0 and r.json()["networkRuleSet"]["ipRules"] == []
    push = _push(image)
    assert push.returncode != 0 and DENIED in push.stderr, push.stderr
    for path, method in (("/v2/", "GET"), ("/v2/_catalog", "GET"), ("/acr/v1/_catalog", "GET"),
                         ("/oauth2/token", "POST"), ("/oauth2/exchange", "POST")):
        status, body = _curl(home, server, path, method)
        assert status == 403, (path, status, body)
        assert json.loads(body)["errors"][0] == {"code": "DENIED", "message": DENIED, "detail": None}
    r = az("acr", "repository", "list", "-n", reg)
    assert r.code == 1 and f"Looks like you don't have access to registry '{server}'" in r.err, r.err
    assert "az acr show --query networkRuleSet" in r.err
    r = az("acr", "check-health", "-n", reg, "--yes")
    assert r.code == 1 and "CONNECTIVITY_FORBIDDEN_ERROR" in r.err, r.err

    # A CIDR range holds loopback again.
    assert az("acr", "network-rule", "add", "-n", reg, "--ip-address", "127.0.0.0/8", "-o", "none").code == 0
    assert _curl(home, server)[0] == 401
    assert json.loads(az("acr", "repository", "list", "-n", reg).out) == ["app"]

    # Public network access disabled: nothing reaches the registry (there are no private endpoints offline).
    r = az("acr", "update", "-n", reg, "--public-network-enabled", "false", "-o", "none")
    assert r.code == 0 and "Disabling the public endpoint overrides all firewall configurations." in r.err
    assert az("acr", "network-rule", "add", "-n", reg, "--ip-address", "127.0.0.1", "-o", "none").code == 0
    status, body = _curl(home, server)
    assert status == 403 and DENIED in body
    push = _push(image)
    assert push.returncode != 0 and DENIED in push.stderr
    assert az("acr", "private-endpoint-connection", "list", "-r", reg).json() == []
    r = az("acr", "private-endpoint-connection", "approve", "-r", reg, "-n", "pe1")
    assert r.code == 3 and "(ResourceNotFound)" in r.err and "privateEndpointConnections/pe1" in r.err

    # Open again, with dedicated data endpoints: show-endpoints lists them and the daemon serves them.
    r = az("acr", "update", "-n", reg, "--public-network-enabled", "true", "--default-action", "Allow",
           "--data-endpoint-enabled", "true", "-o", "none")
    assert r.code == 0, r.err
    r = az("acr", "show-endpoints", "-n", reg)
    data = f"{reg}.eastus.data.azurecr.io"
    assert r.code == 0 and r.json() == {"loginServer": server, "dataEndpoints": [{"region": "eastus",
                                                                                  "endpoint": data}]}
    assert _curl(home, data)[0] == 401
    https = subprocess.run(["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "--cacert", str(home / "ca.crt"),
                            "--max-time", "10", f"https://{data}/v2/"], capture_output=True, text=True)
    assert https.stdout == "401", https.stderr
    subprocess.run(["docker", "rmi", image], capture_output=True)


def test_check_health_runs_the_real_checks(az, home, group):
    reg = _registry(az, "Premium")
    r = az("acr", "check-health", "-n", reg, "--yes", "--ignore-errors")
    assert r.code == 0, r.err
    server = f"{reg}.azurecr.io"
    for line in ("Docker daemon status: available", "Docker version: ", "Azure CLI version: 2.91.0",
                 "azlocal daemon status: available", f"DNS lookup to {server} at IP 127.0.0.1 : OK",
                 f"Challenge endpoint https://{server}/v2/ : OK", f"Fetch refresh token for registry '{server}' : OK",
                 f"Fetch access token for registry '{server}' : OK",
                 "Please refer to https://aka.ms/acr/health-check for more information."):
        assert line in r.err, (line, r.err)
    assert " pull of 'mcr.microsoft.com/" in r.err and ": OK" in r.err
    r = az("acr", "check-health", "-n", reg, "--yes", "--ignore-errors", "--repository", "app")
    assert f"Fetch access token for repository 'app' in registry '{server}' : OK" in r.err, r.err
    r = az("acr", "check-health", "-n", "nosuchreg1", "--yes", "--ignore-errors")
    assert r.code == 0 and "CONNECTIVITY_DNS_ERROR" in r.err and "nosuchreg1.azurecr.io" in r.err
    r = az("acr", "check-health", "-n", reg, "--ignore-errors")  # no --yes, no terminal
    assert r.code == 1 and "Unable to prompt for confirmation as no tty available. Use --yes." in r.err
    r = az("acr", "check-health", "-n", reg, "--yes", "--vnet", "vnet1")
    assert r.code == 1 and "doesn't have private endpoints to verify DNS routings" in r.err
    # Identity and encryption, recorded as Azure shows them.
    r = az("acr", "identity", "assign", "-n", reg, "--identities", "[system]")
    assert r.code == 0 and "no tokens" in r.err
    identity = az("acr", "identity", "show", "-n", reg).json()
    assert identity["type"] == "SystemAssigned" and len(identity["principalId"]) == 36 and identity["tenantId"]
    assert az("acr", "encryption", "show", "-n", reg).json() == {"keyVaultProperties": None, "status": "disabled"}
    r = az("acr", "encryption", "rotate-key", "-n", reg, "--key-encryption-key", "https://kv/keys/k")
    assert r.code == 1 and "key rotation is only applicable to registries with CMK enabled" in r.err
    links = az("acr", "private-link-resource", "list", "-n", reg).json()
    assert [(x["groupId"], x["requiredMembers"]) for x in links] == [("registry", ["registry", "registry_data_eastus"])]


@pytest.fixture
def bridge_daemon(monkeypatch):
    """The daemon listening on the Docker bridge's gateway (AZLOCAL_DAEMON_HOST), so containers can reach it."""
    gateway = subprocess.run(["docker", "network", "inspect", "bridge", "--format",
                              "{{(index .IPAM.Config 0).Gateway}}"], capture_output=True, text=True).stdout.strip()
    if not gateway:
        pytest.skip("Docker's default bridge has no gateway address")
    monkeypatch.setenv("AZLOCAL_DAEMON_HOST", gateway)
    return gateway


def test_a_container_on_the_bridge_is_seen_from_its_own_address(bridge_daemon, az, home, group, tmp_path):
    gateway = bridge_daemon
    reg = _registry(az, "Premium")
    server = f"{reg}.azurecr.io"
    assert az("acr", "update", "-n", reg, "--default-action", "Deny", "-o", "none").code == 0
    port = json.loads((home / "daemon.json").read_text())["port"]
    # This machine (the CLI, the Docker Engine) reaches the daemon from an address of its own (the gateway's,
    # or the host's primary address in some sandboxes): the refusal names it, and a rule for it lets it in.
    refused = subprocess.run(["curl", "-sS", "-H", f"Host: {server}", f"http://{gateway}:{port}/v2/"],
                             capture_output=True, text=True).stdout
    host_ip = json.loads(refused)["errors"][0]["message"].split("'")[1]
    assert az("acr", "network-rule", "add", "-n", reg, "--ip-address", host_ip, "-o", "none").code == 0
    assert json.loads(az("acr", "repository", "list", "-n", reg).out) == []
    # (docker push is not tried here: the engine trusts the daemon's CA only for loopback registries.)
    image = busybox.build(busybox.write_context(tmp_path / "ctx"), "azlocal-test/bridge-probe:v1")
    probe = f'(printf "GET /v2/ HTTP/1.0\\r\\nHost: {server}\\r\\n\\r\\n"; sleep 3) | nc {gateway} {port}'

    def from_container():
        run = subprocess.run(["docker", "run", "--rm", image, "sh", "-c", probe], capture_output=True, text=True,
                             timeout=60)
        return run.stdout or f"- {run.returncode} {run.stderr}"

    answer = from_container()
    assert answer.split()[1] == "403", answer
    assert "client with IP '172." in answer and "is not allowed access" in answer and f"'{host_ip}'" not in answer
    assert az("acr", "network-rule", "add", "-n", reg, "--ip-address", "172.16.0.0/12", "-o", "none").code == 0
    answer = from_container()
    assert answer.split()[1] == "401", answer
    subprocess.run(["docker", "rmi", image], capture_output=True)
