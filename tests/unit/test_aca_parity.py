"""Issue 10, containerapp: az 2.91's options, their checks before anything is deployed, and the
documents they write. No Docker: apps and environments are seeded in the store, and every case
here is refused (or recorded) before a revision would start."""

import json

import pytest

from tests.unit.test_validation_hardening import _no_traceback


def _seed(workload_profiles=True):
    from azlocal.core import arm
    from azlocal.platform.store import store

    env_id = arm.resource_id("rg", "Microsoft.App/managedEnvironments", "env1")
    env = {"id": env_id, "name": "env1", "type": "Microsoft.App/managedEnvironments", "location": "East US",
           "tags": None, "systemData": {"createdAt": "t", "createdBy": "u", "createdByType": "User"},
           "properties": {"defaultDomain": "x.eastus.azurecontainerapps.io", "workloadProfiles":
                          [{"name": "Consumption", "workloadProfileType": "Consumption"}] if workload_profiles
                          else None, "appLogsConfiguration": {"destination": None,
                                                              "logAnalyticsConfiguration": None},
                          "customDomainConfiguration": {"customDomainVerificationId": "ABC", "dnsSuffix": None},
                          "eventStreamEndpoint": "e", "staticIp": "127.0.0.1",
                          "peerAuthentication": {"mtls": {"enabled": False}},
                          "peerTrafficConfiguration": {"encryption": {"enabled": False}}}}
    rid = arm.resource_id("rg", "Microsoft.App/containerApps", "app1")
    app = {
        "id": rid, "name": "app1", "type": "Microsoft.App/containerApps", "location": "eastus", "tags": {},
        "identity": {"type": "None"},
        "properties": {
            "managedEnvironmentId": env_id, "workloadProfileName": "Consumption",
            "configuration": {"activeRevisionsMode": "Single", "secrets": [{"name": "s1"}], "ingress": None,
                              "dapr": None, "registries": None},
            "template": {
                "containers": [{"image": "busybox:latest", "name": "app1",
                                "resources": {"cpu": 0.5, "ephemeralStorage": "2Gi", "memory": "1Gi"}}],
                "initContainers": None, "revisionSuffix": "",
                "scale": {"cooldownPeriod": 300, "maxReplicas": 10, "minReplicas": None, "pollingInterval": 30,
                          "rules": None},
                "serviceBinds": None, "terminationGracePeriodSeconds": None, "volumes": None,
            },
        },
    }
    s = store()
    with s.transaction():
        s.put(env)
        s.put(app)
    return env, app


@pytest.fixture
def seeded(cli):
    assert cli("group", "create", "-n", "rg", "-l", "eastus").code == 0
    return _seed()


def _get(rid):
    from azlocal.platform.store import store

    return store().get(rid)


# Parser: az's option strings and arities ---------------------------------------------------------

@pytest.mark.parametrize("args", [
    ["containerapp", "update", "-n", "app1", "-g", "rg", "--add", "tags", "a=1"],
    ["containerapp", "update", "-n", "app1", "-g", "rg", "--force-string"],
    ["containerapp", "revision", "copy", "-n", "app1", "-g", "rg", "--no-wait"],
])
def test_options_az_lacks_are_unrecognized(cli, seeded, args):
    r = cli(*args)
    assert r.code == 2 and "unrecognized arguments" in r.err


# Scale rules, grace period, workload profiles: checked before deploying ---------------------------

@pytest.mark.parametrize("args, message", [
    (["--scale-rule-name", "r", "--scale-rule-metadata", "novalue"], 'Metadata must be in format'),
    (["--scale-rule-name", "r", "--srm", "a=1", "a=2"], 'Duplicate metadata "a"'),
    (["--scale-rule-name", "r", "--scale-rule-auth", "novalue"], "Auth parameters must be in format"),
    (["--srm", "a=1"], "--scale-rule-name is required"),
    (["--termination-grace-period", "601"], "[0,600]"),
    (["-w", "nosuch"], "Workload profile 'nosuch' does not exist"),
])
def test_update_options_refused_before_anything_changes(cli, seeded, args, message):
    _, app = seeded
    r = cli("containerapp", "update", "-n", "app1", "-g", "rg", *args)
    _no_traceback(r)
    assert r.code == 1, r
    assert message in r.err
    assert _get(app["id"]) == app


def test_scale_rule_document_is_azs():
    from azlocal.aca import containerapps_options as o

    [rule] = o.scale_rule("q", "azure-queue", None, ["queueName=jobs", "queueLength=5"], ["connection=conn"])
    assert rule == {"name": "q", "custom": {
        "type": "azure-queue", "metadata": {"queueName": "jobs", "queueLength": "5"},
        "auth": [{"secretRef": "conn", "triggerParameter": "connection"}]}}
    [rule] = o.scale_rule("h", "HTTP", 50, None, None)
    assert rule == {"name": "h", "http": {"metadata": {"concurrentRequests": "50"}}}


def test_workload_profile_name_is_canonical_and_recorded(cli, seeded):
    _, app = seeded
    r = cli("containerapp", "update", "-n", "app1", "-g", "rg", "-w", "consumption", "--tags", "a=b")
    assert r.code == 0, r
    assert _get(app["id"])["properties"]["workloadProfileName"] == "Consumption"


# Revision names ------------------------------------------------------------------------------------

def test_default_revision_suffix_is_seven_random_lowercase_alphanumerics(cli, seeded):
    import re

    from azlocal.aca import revisions

    _, app = seeded
    suffixes = {revisions.new_suffix(app) for _ in range(50)}
    assert all(re.fullmatch(r"[a-z0-9]{7}", s) for s in suffixes)
    assert len(suffixes) > 45  # random, not a counter


# Registry secret names, identities, Dapr --------------------------------------------------------

def test_registry_secret_name_has_no_colon():
    from azlocal.aca.containerapps import registry_secret_name

    assert registry_secret_name("myacr.azurecr.io:443", "My_User") == "myacrazurecrio-443-my-user"


@pytest.mark.parametrize("args, message", [
    (["--identity", "system", "--username", "u", "--password", "p"], "Cannot provide both"),
    (["--identity", "bogus"], "must be an identity resource ID or 'system'"),
])
def test_registry_set_identity_checks(cli, seeded, args, message):
    _, app = seeded
    r = cli("containerapp", "registry", "set", "-n", "app1", "-g", "rg", "--server", "myacr.azurecr.io", *args)
    assert r.code == 1 and message in r.err, r
    assert _get(app["id"]) == app


def test_registry_set_identity_records_registry_and_identity(cli, seeded):
    _, app = seeded
    r = cli("containerapp", "registry", "set", "-n", "app1", "-g", "rg", "--server", "myacr.azurecr.io",
            "--identity", "system")
    assert r.code == 0, r
    assert json.loads(r.out) == [{"identity": "system", "passwordSecretRef": "", "server": "myacr.azurecr.io",
                                  "username": ""}]
    doc = _get(app["id"])
    assert doc["identity"]["type"] == "SystemAssigned" and doc["identity"]["principalId"]
    assert "later azlocal release" not in r.err  # the identity's tokens are served (IDENTITY_ENDPOINT)
    r = cli("containerapp", "registry", "set", "-n", "app1", "-g", "rg", "--server", "other.example.com",
            "--identity", "system")
    assert r.code == 1 and "expected an ACR registry" in r.err


def test_dapr_enable_takes_the_new_options(cli, seeded, monkeypatch):
    from azlocal.platform import lifecycle

    monkeypatch.setattr(lifecycle, "ensure_running", lambda *a, **k: None)  # the daemon keeps the sidecars
    r = cli("containerapp", "dapr", "enable", "-n", "app1", "-g", "rg", "--dapr-app-id", "a", "--dal",
            "--dhmrs", "6", "--dhrbs", "60", "--dapr-log-level", "WARN", "--dapr-app-protocol", "GRPC")
    assert r.code == 0, r
    dapr = json.loads(r.out)
    assert dapr["enableApiLogging"] is True and dapr["httpMaxRequestSize"] == 6 and dapr["httpReadBufferSize"] == 60
    assert dapr["logLevel"] == "warn" and dapr["appProtocol"] == "grpc" and dapr["enabled"] is True
    assert "no Dapr sidecar" not in r.err
    r = cli("containerapp", "dapr", "disable", "-n", "app1", "-g", "rg")
    assert json.loads(r.out)["enabled"] is False and json.loads(r.out)["appId"] == "a"


def test_exposed_port_needs_tcp(cli, seeded):
    r = cli("containerapp", "ingress", "enable", "-n", "app1", "-g", "rg", "--type", "external",
            "--target-port", "80", "--exposed-port", "8080")
    assert r.code == 1 and "--exposed-port is only supported with --transport tcp" in r.err


# up ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("args, message", [
    (["--repo", "owner/repo"], "needs GitHub and Azure"),
    (["--repo", "owner/repo", "--source", "."], "Cannot use --source and --repo"),
    (["--image", "busybox", "--branch", "main"], "used only with --repo"),
])
def test_up_github_options_refused_with_reason(cli, args, message):
    r = cli("containerapp", "up", "-n", "app1", "-g", "rg", *args)
    _no_traceback(r)
    assert r.code == 1 and message in r.err, r


# env create/update -------------------------------------------------------------------------------

@pytest.mark.parametrize("args, message", [
    (["-s", "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/s"],
     "needs an Azure Virtual Network"),
    (["--internal-only"], "needs an Azure Virtual Network"),
    (["--platform-reserved-cidr", "10.0.0.0/24"], "needs an Azure Virtual Network"),
    (["-z"], "Cannot use --zone-redundant/-z without --infrastructure-subnet-resource-id/-s"),
    (["-i", "infra"], "Cannot use --infrastructure-resource-group/-i without"),
    (["--enable-mtls", "--enable-peer-to-peer-encryption", "false"], "Cannot use '--enable-mtls'"),
    (["--dns-suffix", "example.com"], "are required together"),
])
def test_env_create_refuses_what_needs_azure(cli, args, message):
    assert cli("group", "create", "-n", "rg", "-l", "eastus").code == 0
    r = cli("containerapp", "env", "create", "-n", "env2", "-g", "rg", "--logs-destination", "none", *args)
    _no_traceback(r)
    assert r.code == 1 and message in r.err, r
    assert cli("containerapp", "env", "show", "-n", "env2", "-g", "rg").code == 3


def test_env_create_on_an_existing_env_is_a_put(cli, seeded):
    env, _ = seeded
    r = cli("containerapp", "env", "create", "-n", "env1", "-g", "rg", "--logs-destination", "none",
            "--tags", "k=v", "-d", "InstrumentationKey=1", "--enable-mtls", "--enable-peer-to-peer-encryption")
    assert r.code == 0, r
    doc = json.loads(r.out)
    assert doc["tags"] == {"k": "v"}
    assert doc["properties"]["defaultDomain"] == env["properties"]["defaultDomain"]
    assert doc["properties"]["daprAIConnectionString"] == "InstrumentationKey=1"
    assert doc["properties"]["peerAuthentication"] == {"mtls": {"enabled": True}}
    assert "not encrypted offline" in r.err
    r = cli("containerapp", "env", "create", "-n", "env1", "-g", "rg", "--logs-destination", "none", "-w", "false")
    assert r.code == 1 and "uses workload profiles" in r.err
    r = cli("containerapp", "env", "create", "-n", "env1", "-g", "rg", "-l", "westeurope",
            "--logs-destination", "none")
    assert r.code == 1 and "LocationNotMatch" in r.err


def test_env_update_workload_profile(cli, seeded):
    r = cli("containerapp", "env", "update", "-n", "env1", "-g", "rg", "-w", "gpu", "--workload-profile-type",
            "d4", "--min-nodes", "1", "--max-nodes", "3")
    assert r.code == 0, r
    profiles = json.loads(r.out)["properties"]["workloadProfiles"]
    assert {"name": "gpu", "workloadProfileType": "D4", "minimumCount": 1, "maximumCount": 3} in profiles
    r = cli("containerapp", "env", "update", "-n", "env1", "-g", "rg", "--workload-profile-type", "E4")
    assert r.code == 0, r  # as az: the profile's name defaults to its type
    assert {"name": "E4", "workloadProfileType": "E4", "minimumCount": 0, "maximumCount": 1} in \
        json.loads(r.out)["properties"]["workloadProfiles"]
    r = cli("containerapp", "update", "-n", "app1", "-g", "rg", "-w", "GPU")
    assert r.code == 0, r
    assert json.loads(r.out)["properties"]["workloadProfileName"] == "gpu"


def test_secret_remove_refuses_a_registry_password(cli, seeded):
    from azlocal.platform.store import store

    _, app = seeded
    app["properties"]["configuration"]["registries"] = [
        {"identity": "", "passwordSecretRef": "s1", "server": "r.example.com", "username": "u"}]
    s = store()
    with s.transaction():
        s.put(app)
    r = cli("containerapp", "secret", "remove", "-n", "app1", "-g", "rg", "--secret-names", "s1")
    assert r.code == 1 and "is the password of registry 'r.example.com'" in r.err
    assert _get(app["id"]) == app


def test_memory_is_normalised_as_the_service_returns_it():
    from azlocal.aca.containerapps import _memory

    assert (_memory("1.0Gi"), _memory("0.5"), _memory("1.50Gi")) == ("1Gi", "0.5Gi", "1.5Gi")


def test_env_create_again_keeps_its_kind_unless_asked_otherwise(cli):
    assert cli("group", "create", "-n", "rg", "-l", "eastus").code == 0
    base = ["containerapp", "env", "create", "-n", "env1", "-g", "rg", "--logs-destination", "none"]
    env, _ = _seed(workload_profiles=False)
    r = cli(*base)
    assert r.code == 0, r
    assert json.loads(r.out)["properties"]["workloadProfiles"] is None
    r = cli(*base, "-w")
    assert r.code == 1 and "cannot enable workload profiles" in r.err
    assert cli(*base, "-w", "false").code == 0


def test_removing_a_missing_env_var_is_a_warning_as_in_az(cli, seeded):
    r = cli("containerapp", "update", "-n", "app1", "-g", "rg", "--remove-env-vars", "nosuch", "--tags", "a=b")
    assert r.code == 0, r
    assert "WARNING: Environment variable nosuch does not exist." in r.err
