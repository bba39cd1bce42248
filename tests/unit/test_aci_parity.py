"""Issue 10, `az container create` as az 2.91: its options, their checks and what each one becomes
in the definition (no Docker: the refusals come before anything is made)."""

import base64
import json
import logging

import pytest

from azlocal.aci import containergroups, options
from azlocal.aci import definition as containergroups_definition
from azlocal.core.errors import AzLocalError, ValidationError


@pytest.fixture
def caplog(caplog):
    """knack's CLI logging stops `cli.*` loggers propagating once a command has run in this process:
    listen on the `cli` logger itself."""
    logger = logging.getLogger("cli")
    logger.addHandler(caplog.handler)
    level = logger.level
    logger.setLevel(logging.WARNING)
    yield caplog
    logger.removeHandler(caplog.handler)
    logger.setLevel(level)


def _definition(**kw):
    return containergroups.definition_from_args("web", "busybox:1", 1.0, 1.5, [80], None, None, None, None, None,
                                                None, None, None, None, None, None, **kw)


def test_zone_priority_and_sku_are_recorded_in_azure_casing():
    d = options.apply(_definition(), {"zone": "1", "priority": "spot", "sku": "dedicated"})
    assert d["zones"] == ["1"]
    assert d["properties"]["priority"] == "Spot"
    assert d["properties"]["sku"] == "Dedicated"
    assert d["tags"] == {}


@pytest.mark.parametrize("key,value", [("sku", "gold"), ("priority", "low")])
def test_unknown_sku_or_priority_is_refused(key, value):
    with pytest.raises(ValidationError, match=value):
        options.apply(_definition(), {key: value})


def test_confidential_sku_gets_a_cce_policy_and_a_security_context():
    d = options.apply(_definition(), {"sku": "Confidential", "privileged": True, "allow_privilege_escalation": True,
                                      "run_as_user": "1000", "drop_capabilities": ["NET_RAW"]})
    assert d["properties"]["confidentialComputeProperties"]["ccePolicy"]
    context = d["properties"]["containers"][0]["properties"]["securityContext"]
    assert context == {"allowPrivilegeEscalation": True, "capabilities": {"add": None, "drop": ["NET_RAW"]},
                       "privileged": True, "runAsGroup": None, "runAsUser": 1000, "seccompProfile": None}


def test_confidential_spelled_otherwise_gets_no_security_context_as_az_sends_none(caplog):
    """az builds the security context and sends --cce-policy only when --sku is exactly `Confidential`."""
    d = options.apply(_definition(), {"sku": "confidential", "privileged": True, "cce_policy": "cG9saWN5"})
    props = d["properties"]
    assert props["sku"] == "Confidential"
    assert props["confidentialComputeProperties"] == {"ccePolicy": options.DEFAULT_CCE_POLICY}
    assert "securityContext" not in props["containers"][0]["properties"]
    assert "--privileged, --cce-policy apply only with --sku Confidential" in caplog.text


def test_security_context_as_docker_arguments():
    seccomp = base64.b64encode(json.dumps({"defaultAction": "SCMP_ACT_ALLOW"}).encode()).decode()
    context = options.security_context({"privileged": True, "run_as_user": "7", "run_as_group": "8",
                                        "add_capabilities": ["NET_ADMIN"], "seccomp_profile": seccomp})
    docker = options.docker_security(context)
    assert docker["privileged"] is True
    assert docker["user"] == "7:8"
    assert docker["cap_add"] == ["NET_ADMIN"]
    assert "no-new-privileges:true" in docker["security_opt"]
    assert any(o.startswith("seccomp={") for o in docker["security_opt"])
    assert "privileged" not in options.docker_security(context, unprivileged=True)


def test_security_options_without_confidential_are_ignored_with_a_warning(caplog):
    d = options.apply(_definition(), {"privileged": True})
    assert "securityContext" not in d["properties"]["containers"][0]["properties"]
    assert "--sku Confidential" in caplog.text


def test_identity_shapes():
    assert options.identity([])["type"] == "SystemAssigned"
    uid = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/u"
    assert options.identity([uid])["type"] == "UserAssigned"
    both = options.identity(["[system]", uid])
    assert both["type"] == "SystemAssigned, UserAssigned"
    assert list(both["userAssignedIdentities"]) == [uid]


@pytest.mark.parametrize("given,message", [
    ({"identity_scope": "/x"}, "--assign-identity [--scope SCOPE]"),
    ({"assign_identity": [], "identity_role": "Reader"}, "'--role Reader' is not applicable"),
    ({"vnet": "v"}, "--vnet NAME --subnet NAME"),
    ({"vnet": "v", "subnet": "s", "dns_name_label": "x"}, '"--dns-name-label"'),
    ({"log_analytics_workspace_key": "k"}, '"--log-analytics-workspace-key" requires'),
    ({"gitrepo_url": "file:///r", "gitrepo_dir": "../up"}, "cannot contain '..'"),
    ({"gitrepo_mount_path": "/src"}, "Please specify --gitrepo-url"),
])
def test_az_usage_errors(given, message):
    with pytest.raises(ValidationError, match=message.replace("[", r"\[").replace("]", r"\]")):
        options.apply(_definition(), given)


@pytest.mark.parametrize("given,reason", [
    ({"vnet": "v", "subnet": "s"}, "Virtual Network"),
    ({"subnet": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/s"},
     "Virtual Network"),
    ({"standby_pool_profile_id": "/x"}, "standby pools"),
])
def test_what_needs_an_absent_service_is_refused_with_the_reason(given, reason):
    with pytest.raises(AzLocalError, match=reason):
        options.apply(_definition(), given)


def test_recorded_options_warn(caplog):
    d = options.apply(_definition(), {"assign_identity": ["[system]"], "log_analytics_workspace": "ws",
                                      "config_map": ["a=1"], "gitrepo_url": "file:///r", "gitrepo_mount_path": "/src"})
    assert d["identity"]["type"] == "SystemAssigned"
    assert d["properties"]["diagnostics"]["logAnalytics"]["workspaceId"] == "ws"
    assert d["properties"]["containers"][0]["properties"]["configMap"] == {"keyValuePairs": {"a": "1"}}
    assert d["properties"]["volumes"][-1] == {"name": "gitrepo", "gitRepo": {"repository": "file:///r",
                                                                            "directory": ".", "revision": None}}
    for word in ("Log Analytics", "Config maps"):
        assert word in caplog.text
    assert "Managed identities" not in caplog.text  # served: the group's containers get tokens from IMDS
    containergroups_definition.validate(d)  # a git repo volume is valid now


def test_update_rules():
    old = {"location": "eastus", "osType": "Linux", "restartPolicy": "Always",
           "containers": [{"name": "web", "resources": {"requests": {"cpu": 1.0, "memoryInGb": 1.5}}}]}
    d = _definition()
    containergroups_definition.check_update(old, d, "eastus", "rg")  # same: a redeploy
    with pytest.raises(AzLocalError, match="InvalidResourceLocation"):
        containergroups_definition.check_update(old, d, "westus", "rg")
    d["properties"]["containers"][0]["properties"]["resources"]["requests"]["cpu"] = 2.0
    with pytest.raises(AzLocalError, match="InvalidContainerGroupUpdate"):
        containergroups_definition.check_update(old, d, "eastus", "rg")
    d = _definition()
    d["properties"]["restartPolicy"] = "Never"
    with pytest.raises(AzLocalError, match="InvalidContainerGroupUpdate"):
        containergroups_definition.check_update(old, d, "eastus", "rg")


def test_yaml_sku_priority_zones(tmp_path):
    d = containergroups.definition_from_yaml(
        "name: g\nzones: ['2']\nproperties:\n  sku: confidential\n  priority: regular\n  containers:\n"
        "  - name: a\n    properties: {image: busybox:1}\n")
    assert d["zones"] == ["2"]
    assert d["properties"]["sku"] == "Confidential"
    assert d["properties"]["priority"] == "Regular"


def test_cli_refuses_tags_and_vnet_and_bad_sku(cli):
    assert cli("group", "create", "-n", "rg", "-l", "eastus").code == 0
    r = cli("container", "create", "-g", "rg", "-n", "c", "--image", "busybox:1", "--tags", "a=b")
    assert r.code == 2 and "unrecognized arguments: --tags" in r.err
    r = cli("container", "create", "-g", "rg", "-n", "c", "--image", "busybox:1", "--vnet", "v", "--subnet", "s")
    assert r.code == 1 and "Virtual Network" in r.err and "Traceback" not in r.err
    r = cli("container", "create", "-g", "rg", "-n", "c", "--image", "busybox:1", "--sku", "gold")
    assert r.code == 1 and "InvalidContainerGroupSku" in r.err
    r = cli("container", "create", "-g", "rg", "--image", "busybox:1")
    assert r.code == 1 and "--name/-n argument is required" in r.err
    assert cli("container", "list", "-g", "rg").json() == []


def test_profile_revisions_without_docker_and_nothing_left_by_group_delete(cli, home):
    """Profiles are templates: create/show/list/revisions never touch Docker; a group delete removes the
    profile, its revisions and its secure values."""
    import sqlite3

    from azlocal.platform import secrets

    assert cli("group", "create", "-n", "rg", "-l", "eastus").code == 0
    for value in ("1", "2"):
        r = cli("container", "container-group-profile", "create", "-g", "rg", "-n", "prof", "--image", "busybox:1",
                "-e", f"V={value}", "--secure-environment-variables", f"S=s{value}")
        assert r.code == 0, r.err
    doc = r.json()
    assert doc["revision"] == 2 and doc["name"] == "prof"
    assert cli("container", "container-group-profile", "show", "-g", "rg", "-n", "PROF").json()["revision"] == 2
    revisions = cli("container", "container-group-profile", "list-revisions", "-g", "rg", "-n", "prof").json()
    assert [(r["revision"], r["containers"][0]["environmentVariables"][0]["value"]) for r in revisions] == \
        [(1, "1"), (2, "2")]
    r = cli("container", "container-group-profile", "show-revision", "-g", "rg", "-n", "prof", "-r", "x")
    assert r.code == 1 and "must be a number" in r.err
    r = cli("container", "container-group-profile", "create", "-g", "rg", "-n", "p", "--image", "busybox:1",
            "--dns-name-label", "label1")
    assert r.code == 2 and "unrecognized arguments: --dns-name-label" in r.err
    prefix = secrets.resource_prefix("aci", doc["id"])
    assert secrets.get_secret(f"{prefix}revision/1")
    assert cli("group", "delete", "-n", "rg", "--yes").code == 0
    assert secrets.get_secret(f"{prefix}revision/1") is None
    db = sqlite3.connect(home / "state.db")
    assert db.execute("SELECT key FROM kv WHERE key LIKE 'aci-%'").fetchall() == []
