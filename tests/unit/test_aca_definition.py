"""The pure parts of container apps: the definition from flags and from YAML, env var and secret
parsing, and traffic weight arithmetic (no store, no Docker)."""

import pytest

from azlocal.aca import definition, traffic
from azlocal.core.errors import AzLocalError, ValidationError

ENV_FORMAT = 'Environment variables must be in the format "<key>=<value> <key>=secretref:<value> ...".'
SECRET_FORMAT = ('Secrets must be in format "<key>=<value> <key>=<value> ..." or "<key>=keyvaultref:'
                 '<keyvaulturl>,identityref:<identity> ...".')


# Env vars and secrets ----------------------------------------------------------------------------

@pytest.mark.parametrize("items, expected", [
    (None, []),
    (["A=1"], [{"name": "A", "value": "1"}]),
    (["A=x=y", "B="], [{"name": "A", "value": "x=y"}, {"name": "B", "value": ""}]),
    (["TOKEN=secretref:tok"], [{"name": "TOKEN", "secretRef": "tok"}]),
])
def test_env_vars_are_parsed(items, expected):
    assert definition.parse_env_vars(items) == expected


@pytest.mark.parametrize("items", [["A"], ["=1"], ["A=1", "noequals"]])
def test_env_vars_without_key_value_are_refused_with_az_text(items):
    with pytest.raises(ValidationError) as ex:
        definition.parse_env_vars(items)
    assert str(ex.value) == ENV_FORMAT


@pytest.mark.parametrize("items, expected", [
    (None, {}),
    (["a=1", "b-c.d=x=y"], {"a": "1", "b-c.d": "x=y"}),
])
def test_secrets_are_parsed(items, expected):
    assert definition.parse_secrets(items) == expected


@pytest.mark.parametrize("items, error, text", [
    (["a"], ValidationError, SECRET_FORMAT),
    (["a=1", "A=2"], ValidationError, 'Duplicate secret "A" found, secret names must be unique.'),
    (["Bad=1"], ValidationError, "(ContainerAppInvalidSecretName) Secret name has an invalid value 'Bad'."),
    (["-a=1"], ValidationError, "(ContainerAppInvalidSecretName)"),
    (["k=keyvaultref:https://v.vault.azure.net/secrets/x"], ValidationError, "Identityref is missing."),
])
def test_bad_secrets_are_refused(items, error, text):
    with pytest.raises(error) as ex:
        definition.parse_secrets(items)
    assert str(ex.value).startswith(text)


# The definition from flags -----------------------------------------------------------------------

@pytest.mark.parametrize("kwargs, check", [
    ({}, lambda d: d.template["containers"] == [{"image": definition.DEFAULT_IMAGE, "name": "web", "resources": {
        "cpu": 0.5, "ephemeralStorage": "2Gi", "memory": "1Gi"}}] and d.ingress is None and d.registry is None),
    ({"container": {"image": "nginx", "container_name": "main", "cpu": 1, "memory": "2.0Gi", "env_vars": ["A=1"],
                    "command": ["/bin/sh"], "args": ["-c", "x"]}},
     lambda d: d.template["containers"][0] == {"image": "nginx", "name": "main", "resources": {
         "cpu": 1.0, "ephemeralStorage": "2Gi", "memory": "2Gi"}, "env": [{"name": "A", "value": "1"}],
         "command": ["/bin/sh"], "args": ["-c", "x"]}),
    ({"scale": {"min_replicas": 0, "max_replicas": 3}},
     lambda d: (d.template["scale"]["minReplicas"], d.template["scale"]["maxReplicas"]) == (0, 3)),
    ({"scale": {}}, lambda d: d.template["scale"]["maxReplicas"] == 10),
    ({"ingress": {"kind": "external", "target_port": 8080}}, lambda d: d.ingress["target_port"] == 8080),
    ({"ingress": {"kind": None, "transport": "auto"}}, lambda d: d.ingress is None),
    ({"registry": {"server": "r.azurecr.io", "username": None}},
     lambda d: d.registry == {"server": "r.azurecr.io"}),
    ({"secrets": ["s1=v"], "revisions_mode": None}, lambda d: d.secrets == {"s1": "v"} and
     d.revisions_mode == "single"),
    ({"revision_suffix": "v2", "termination_grace_period": 60},
     lambda d: (d.template["revisionSuffix"], d.template["terminationGracePeriodSeconds"]) == ("v2", 60)),
    ({"secret_volume_mount": "/mnt/secrets"},
     lambda d: d.template["volumes"][0]["name"].startswith("secret-volume-") and
     d.template["containers"][0]["volumeMounts"] == [{"mountPath": "/mnt/secrets",
                                                      "volumeName": d.template["volumes"][0]["name"]}]),
    ({"tags": {"a": "1"}, "workload_profile_name": "Consumption", "system_assigned": True},
     lambda d: d.tags == {"a": "1"} and d.workload_profile_name == "Consumption" and d.system_assigned),
])
def test_definition_from_flags(kwargs, check):
    assert check(definition.from_args("web", environment="env1", **kwargs))


@pytest.mark.parametrize("kwargs, text", [
    ({"ingress": {"target_port": 80}}, "Usage error: must specify --ingress with --target-port"),
    ({"ingress": {"allow_insecure": True}}, "Usage error: must specify --ingress with --allow-insecure"),
    ({"ingress": {"kind": "external", "exposed_port": 9000}},
     "Usage error: --exposed-port is only supported with --transport tcp"),
    ({"revision_suffix": "Bad--x"}, "Invalid Container App revision suffix 'Bad--x'."),
    ({"termination_grace_period": 601}, "(ContainerAppInvalidTerminationGracePeriod)"),
    ({"registry": {"server": "r.azurecr.io", "identity": "system", "username": "u"}},
     "Cannot provide both registry identity and username/password"),
    ({"container": {"memory": "lots"}}, 'Usage error: --memory must be a number ending with "Gi"'),
    ({"container": {"env_vars": ["novalue"]}}, ENV_FORMAT),
    ({"secrets": ["x"]}, SECRET_FORMAT),
])
def test_definition_from_bad_flags_is_refused(kwargs, text):
    with pytest.raises(ValidationError) as ex:
        definition.from_args("web", environment="env1", **kwargs)
    assert str(ex.value).startswith(text)


# The definition from YAML ------------------------------------------------------------------------

_YAML = """
properties:
  managedEnvironmentId: /subscriptions/s/resourceGroups/rg/providers/Microsoft.App/managedEnvironments/env1
  configuration:
    activeRevisionsMode: Multiple
    secrets: [{name: s1, value: v1}]
    ingress: {external: false, targetPort: 8080, transport: Http}
  template:
    containers:
    - {name: main, image: nginx, resources: {cpu: 0.25, memory: 0.5Gi}}
    - {name: side, image: busybox}
    scale: {minReplicas: 1, maxReplicas: 4}
"""


@pytest.mark.parametrize("environment, check", [
    (None, lambda d: d.environment.endswith("/managedEnvironments/env1")),
    ("other", lambda d: d.environment == "other"),
    (None, lambda d: d.revisions_mode == "multiple" and d.secrets == {"s1": "v1"}),
    (None, lambda d: d.ingress == {"kind": "internal", "target_port": 8080, "transport": "http",
                                   "allow_insecure": False, "exposed_port": None, "policies": {}}),
    (None, lambda d: [c["resources"] for c in d.template["containers"]] == [
        {"cpu": 0.25, "ephemeralStorage": "2Gi", "memory": "0.5Gi"},
        {"cpu": 0.5, "ephemeralStorage": "2Gi", "memory": "1Gi"}]),
    (None, lambda d: (d.template["scale"]["minReplicas"], d.template["scale"]["maxReplicas"]) == (1, 4)),
])
def test_definition_from_yaml(environment, check):
    assert check(definition.from_yaml(_YAML, environment=environment))


@pytest.mark.parametrize("text, message", [
    ("- a list", "a mapping is expected"),
    ("properties: {template: {containers: []}}", "The YAML must define template.containers."),
    ("properties: {template: {containers: [{name: a}]}}", "Each container in the YAML needs a name and an image."),
    ("properties: {template: {containers: [{name: a, image: x, resources: 5}]}}",
     "resources of container 'a' must be a mapping"),
    ("properties: {template: {containers: [{name: a, image: x}], volumes: [5]}}", "each volume must be a mapping"),
    ("properties: {configuration: {secrets: [{name: Bad, value: x}]}, template: {containers: [{name: a, image: x}]}}",
     "(ContainerAppInvalidSecretName)"),
])
def test_definition_from_bad_yaml_is_refused(text, message):
    with pytest.raises(ValidationError) as ex:
        definition.from_yaml(text)
    assert message in str(ex.value)


@pytest.mark.parametrize("text, message", [
    ("properties: {template: {containers: [{name: a, image: x, resources: {cpu: 0.5, memory: 1Gi}}], "
     "scale: {minReplicas: 5, maxReplicas: 2}}}", "minReplicas cannot be greater than maxReplicas"),
    ("properties: {template: {containers: [{name: A_, image: x, resources: {cpu: 0.5, memory: 1Gi}}]}}",
     "lower case alphanumeric"),
])
def test_update_yaml_template_is_checked_as_azure_checks_it(text, message):
    with pytest.raises(AzLocalError) as ex:
        definition.template_from_yaml(text)
    assert message in str(ex.value)


# Traffic weights ---------------------------------------------------------------------------------

def _t(rev, weight, **extra):
    entry = {"latestRevision": True, "weight": weight} if rev == "latest" else \
        {"latestRevision": False, "revisionName": rev, "weight": weight}
    return dict(entry, **extra)


@pytest.mark.parametrize("entries, named, expected", [
    ([_t("latest", 100)], {"app--v1": 20}, [_t("latest", 80), _t("app--v1", 20)]),
    ([_t("latest", 100)], {"latest": 100}, [_t("latest", 100)]),
    ([_t("app--a", 50), _t("app--b", 50)], {"app--a": 100}, [_t("app--a", 100), _t("app--b", 0)]),
    ([_t("app--a", 50), _t("app--b", 30), _t("app--c", 20)], {"app--a": 10},
     [_t("app--a", 10), _t("app--b", 54), _t("app--c", 36)]),
    ([_t("app--a", 50), _t("app--b", 50)], {"app--a": 33, "app--b": 33}, [_t("app--a", 33), _t("app--b", 33)]),
    ([_t("app--a", 0), _t("app--b", 0)], {"app--c": 40}, [_t("app--a", 30), _t("app--b", 30), _t("app--c", 40)]),
])
def test_weight_arithmetic(entries, named, expected):
    before = [dict(t) for t in entries]
    assert traffic.update_weights(entries, named) == expected
    assert entries == before  # the input is not changed


@pytest.mark.parametrize("revision_weights, label_weights, expected", [
    (["app--a=30", "latest=70"], None, {"app--a": 30, "latest": 70}),
    (None, ["blue=40"], {"app--a": 40}),
    (None, ["green=10"], {"latest": 10}),
])
def test_named_weights(revision_weights, label_weights, expected):
    entries = [_t("app--a", 50, label="blue"), _t("latest", 50, label="green")]
    assert traffic.named_weights(entries, revision_weights, label_weights) == expected


@pytest.mark.parametrize("revision_weights, label_weights, text", [
    (["app--a=101"], None, "Traffic weights must be integers between 0 and 100"),
    (["app--a=x"], None, "Traffic weights must be integers between 0 and 100"),
    (["app--a=-1"], None, "Traffic weights must be integers between 0 and 100"),
    (["app--a=60", "latest=50"], None, "Traffic sums may not exceed 100."),
    (None, ["nosuch=10"], "No revision with the label 'nosuch' was found."),
])
def test_bad_weights_are_refused(revision_weights, label_weights, text):
    with pytest.raises(AzLocalError) as ex:
        traffic.named_weights([_t("app--a", 100, label="blue")], revision_weights, label_weights)
    assert str(ex.value) == text
