"""A container group's definition from `az container create` flags and from ACI's YAML (table-driven):
what each input becomes, and what is refused with which message."""

import pytest

from azlocal.aci import definition
from azlocal.core.errors import AzLocalError, ValidationError


def _props(d):
    return d["properties"]


def _container(d):
    return d["properties"]["containers"][0]["properties"]


@pytest.mark.parametrize("kwargs, check", [
    ({}, lambda d: (_container(d)["image"], _container(d)["resources"]["requests"], _props(d)["restartPolicy"],
                    _props(d)["osType"], "ipAddress" in _props(d))
     == ("busybox:1", {"cpu": 1.0, "memoryInGB": 1.5}, "Always", "Linux", False)),
    ({"cpu": 2.0, "memory": 3.5}, lambda d: _container(d)["resources"]["requests"] == {"cpu": 2.0, "memoryInGB": 3.5}),
    ({"environment_variables": ["A=1", "B='x=y'"], "secure_environment_variables": ["S=secret"]},
     lambda d: _container(d)["environmentVariables"] == [{"name": "A", "value": "1"}, {"name": "B", "value": "x=y"},
                                                         {"name": "S", "secureValue": "secret"}]),
    ({"command_line": "sh -c 'echo hi'"}, lambda d: _container(d)["command"] == ["sh", "-c", "echo hi"]),
    ({"ports": [80, 443], "protocol": "UDP", "ip_address": "Public"},
     lambda d: _props(d)["ipAddress"] == {"type": "Public", "dnsNameLabel": None,
                                          "ports": [{"port": 80, "protocol": "UDP"},
                                                    {"port": 443, "protocol": "UDP"}]}),
    ({"dns_name_label": "web01"}, lambda d: _props(d)["ipAddress"]["type"] == "Public"),
    ({"restart_policy": "Never", "os_type": "Linux"}, lambda d: _props(d)["restartPolicy"] == "Never"),
    ({"registry_login_server": "reg.io", "registry_username": "u", "registry_password": "p"},
     lambda d: _props(d)["imageRegistryCredentials"] == [{"server": "reg.io", "username": "u", "password": "p"}]),
    ({"secrets_": ["a=b"], "secrets_mount_path": "/s"},
     lambda d: (_props(d)["volumes"], _container(d)["volumeMounts"]) == (
         [{"name": "secrets", "secret": {"a": "Yg=="}}],
         [{"name": "secrets", "mountPath": "/s", "readOnly": True}])),
    ({"azure_file": {"shareName": "share1", "accountName": "acct1", "accountKey": "k", "mountPath": "/mnt"}},
     lambda d: _props(d)["volumes"][0]["azureFile"] == {"shareName": "share1", "storageAccountName": "acct1",
                                                        "storageAccountKey": "k"}),
    ({"location": "westus"}, lambda d: d["location"] == "westus"),
])
def test_definition_from_args(kwargs, check):
    d = definition.from_args("web", "busybox:1", **kwargs)
    assert d["name"] == "web" and d["properties"]["containers"][0]["name"] == "web"
    assert check(d)
    definition.validate(d)


def test_positional_form_is_the_keyword_form():
    positional = definition.definition_from_args("web", "busybox:1", 2.0, 1.0, [8080], "TCP", "Public")
    assert positional == definition.from_args("web", "busybox:1", cpu=2.0, memory=1.0, ports=[8080], protocol="TCP",
                                              ip_address="Public")


@pytest.mark.parametrize("name, image, kwargs, error, message", [
    ("web", None, {}, ValidationError, "usage error: --image IMAGE | --file FILE"),
    ("web", "busybox", {"environment_variables": ["NOEQUALS"]}, ValidationError,
     "usage error: environment variables must be in 'key=value' format, got 'NOEQUALS'"),
    ("web", "busybox", {"secure_environment_variables": ["=v"]}, ValidationError,
     "usage error: secure environment variables must be in 'key=value' format, got '=v'"),
    ("web", "busybox", {"secrets_": ["a=b"]}, ValidationError,
     "Please specify --secrets --secrets-mount-path to enable secrets volume mount."),
    ("web", "busybox", {"secrets_": ["ab"], "secrets_mount_path": "/s"}, ValidationError,
     "Secrets need to be specifed in key=value format."),
    ("web", "busybox", {"azure_file": {"shareName": "s", "accountKey": "k"}}, ValidationError,
     "Please specify --azure-file-volume-account-name in order to use Azure File volume."),
    ("web", "busybox", {"azure_file": {"shareName": "s", "accountName": "a"}}, ValidationError,
     "Please specify --azure-file-volume-account-key in order to use Azure File volume."),
    ("web", "busybox", {"azure_file": {"mountPath": "/m"}}, ValidationError,
     "Please specify --azure-file-volume-share-name --azure-file-volume-account-name"),
    ("web", "busybox", {"azure_file": {"shareName": "s", "accountName": "a", "accountKey": "k",
                                       "mountPath": "c:/m"}}, ValidationError,
     "The volume mount path cannot contain ':'"),
    ("Web", "busybox", {}, ValidationError, "(InvalidContainerName) The container name 'Web' in container group 'Web'"),
    ("web-", "busybox", {}, ValidationError, "(InvalidResourceName) The container group name 'web-' is invalid"),
    ("web", "busybox", {"dns_name_label": "abc"}, ValidationError,
     "(InvalidDnsNameLabel) The DNS name label 'abc' in container group 'web' is invalid."),
    ("web", "busybox", {"dns_name_label": "1-label"}, ValidationError, "(InvalidDnsNameLabel)"),
    ("web", "busybox", {"dns_name_label": "My-Label"}, ValidationError, "(InvalidDnsNameLabel)"),
    ("web", "busybox", {"cpu": 0.0}, ValidationError, "The CPU request 0.0 of container 'web' is invalid"),
    ("web", "busybox", {"memory": 99.0}, ValidationError, "The memory request 99.0 GB of container 'web' is invalid"),
    ("web", "busybox", {"restart_policy": "Sometimes"}, ValidationError, "The restart policy 'Sometimes'"),
    ("web", "busybox", {"os_type": "Windows"}, AzLocalError, "Windows containers cannot run"),
])
def test_invalid_definition_from_args(name, image, kwargs, error, message):
    with pytest.raises(error) as caught:
        definition.validate(definition.from_args(name, image, **kwargs))
    assert str(caught.value).startswith(message)


YAML = """
apiVersion: 2019-12-01
location: eastus
name: pod
properties:
  containers:
  - name: app
    properties:
      image: nginx:1.25
      command: ["nginx", "-g", "daemon off;"]
      ports: [{port: 80}]
      environmentVariables: [{name: A, value: "1"}]
      resources: {requests: {cpu: 0.5, memoryInGb: 0.5}}
      volumeMounts: [{name: data, mountPath: /data}]
  - name: sidecar
    properties:
      image: busybox
      resources: {requests: {cpu: 0.5, memoryInGB: 1}}
  initContainers:
  - name: init
    properties: {image: busybox, command: ["true"]}
  osType: Linux
  restartPolicy: OnFailure
  ipAddress: {type: Public, ports: [{port: 80, protocol: tcp}]}
  volumes:
  - name: data
    emptyDir: {}
tags: {env: test}
"""


@pytest.mark.parametrize("path, expected", [
    (("name",), "pod"),
    (("location",), "eastus"),
    (("tags",), {"env": "test"}),
    (("properties", "restartPolicy"), "OnFailure"),
    (("properties", "containers", 0, "properties", "image"), "nginx:1.25"),
    (("properties", "containers", 0, "properties", "command"), ["nginx", "-g", "daemon off;"]),
    (("properties", "containers", 0, "properties", "ports"), [{"port": 80, "protocol": "TCP"}]),
    (("properties", "containers", 0, "properties", "resources", "requests"), {"cpu": 0.5, "memoryInGB": 0.5}),
    (("properties", "containers", 1, "properties", "resources", "requests"), {"cpu": 0.5, "memoryInGB": 1.0}),
    (("properties", "containers", 0, "properties", "volumeMounts"),
     [{"name": "data", "mountPath": "/data", "readOnly": False}]),
    (("properties", "initContainers", 0, "name"), "init"),
    (("properties", "volumes", 0, "name"), "data"),
    (("properties", "ipAddress", "ports"), [{"port": 80, "protocol": "TCP"}]),
])
def test_definition_from_yaml(path, expected):
    d = definition.definition_from_yaml(YAML)
    definition.validate(d)
    value = d
    for key in path:
        value = value[key]
    assert value == expected


@pytest.mark.parametrize("text, error, message", [
    ("just text", ValidationError, "The YAML file must define 'properties' of a container group."),
    ("name: x\nproperties: {containers: []}", ValidationError, "The container group must have at least one"),
    ("name: x\nproperties: {containers: [{name: a}]}", ValidationError, "Each container must have a name and"),
    ("name: x\nproperties: {containers: [{name: a, properties: {}}]}", ValidationError,
     "The container 'a' has no image."),
    ("name: x\nproperties: {containers: [{name: a, properties: {image: i, resources: {requests: {cpu: lots}}}}]}",
     ValidationError, "The YAML file is not valid: the cpu request of container 'a' must be a number, got 'lots'."),
    ("name: x\nproperties: {containers: [{name: a, properties: {image: i, command: sh}}]}", ValidationError,
     "The YAML file is not valid: the command of container 'a' must be a list of strings."),
    ("name: x\nproperties: {containers: [{name: a, properties: {image: i, resources: {requests: {gpu: {count: 1}}}}}]}",
     AzLocalError, "The container 'a' requests a GPU"),
    ("name: x\nproperties: {containers: {a: 1}}", ValidationError,
     "The YAML file is not valid: containers must be a list."),
])
def test_invalid_yaml(text, error, message):
    with pytest.raises(error) as caught:
        definition.validate(definition.definition_from_yaml(text))
    assert str(caught.value).startswith(message)
