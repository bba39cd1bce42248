"""Issue 9, item 7: `az containerapp update --set/--add/--remove` passes through the same checks as
the named arguments (and the --yaml path); a refused update changes nothing. The app is seeded in
the store: every refusal happens before a revision would be deployed."""

import pytest

from tests.unit.test_validation_hardening import _no_traceback


def _seed_app():
    from azlocal.services import arm
    from azlocal.state.store import store

    rid = arm.resource_id("rg", "Microsoft.App/containerApps", "app1")
    doc = {
        "id": rid, "name": "app1", "type": "Microsoft.App/containerApps", "location": "eastus", "tags": {},
        "properties": {
            "managedEnvironmentId": arm.resource_id("rg", "Microsoft.App/managedEnvironments", "env1"),
            "configuration": {"activeRevisionsMode": "Single", "secrets": [{"name": "s1"}], "ingress": None},
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
        s.put(doc)
    return doc


T = "properties.template."


@pytest.mark.parametrize("args, message", [
    (["--set", T + "containers=5"], "a non-empty list"),
    (["--set", T + "containers=[]"], "a non-empty list"),
    (["--set", T + "containers[0]=5"], "containers[0]"),
    (["--set", T + "containers[0].resources.cpu=lots"], "a positive number"),
    (["--set", T + "containers[0].resources.cpu=-1"], "a positive number"),
    (["--set", T + "containers[0].resources.cpu=true"], "a positive number"),
    (["--set", T + "containers[0].resources.memory=lots"], "--memory must be a number"),
    (["--set", T + "containers[0].resources.memory=null"], "cpu and memory"),
    (["--set", T + "containers[0].resources=null"], "cpu and memory"),
    (["--set", T + "containers[0].resources.cpu=2"], "ContainerAppInvalidResourceTotal"),
    (["--set", T + "containers[0].image=5"], "an image name"),
    (["--set", T + "containers[0].image="], "an image name"),
    (["--set", T + "containers[0].name=Bad_Name"], "lower case alphanumeric"),
    (["--set", T + "containers[0].command=echo"], "a list of strings"),
    (["--set", T + "containers[0].env=5"], "env"),
    (["--add", T + "containers[0].env", '{"name": "X", "value": 5}'], "secretRef"),
    (["--set", T + "containers[0].env=[{\"name\":\"X\",\"secretRef\":\"nosuch\"}]"], "SecretRef 'nosuch'"),
    (["--set", T + "volumes=[{\"name\":\"../../x\",\"storageType\":\"EmptyDir\"}]"], "volume name '../../x'"),
    (["--set", T + "containers[0].volumeMounts=[{\"volumeName\":\"v\",\"mountPath\":\"rel\"}]"],
     "absolute mountPath"),
    (["--set", T + "scale=5"], "scale"),
    (["--set", T + "scale.minReplicas=abc"], "[0,1000]"),
    (["--set", T + "scale.maxReplicas=0"], "[1,1000]"),
    (["--set", T + "scale.minReplicas=5", T + "scale.maxReplicas=2"], "cannot be greater"),
    (["--set", T + "revisionSuffix=Bad--Suffix"], "Invalid Container App revision suffix"),
    (["--set", T + "initContainers=5"], "a list"),
    (["--set", "tags.x=1"], "only properties.template"),
    (["--set", "properties.configuration.ingress.external=true"], "only properties.template"),
    (["--remove", T + "containers[0].nosuch"], "Couldn't find"),
])
def test_bad_generic_update_of_a_container_app_is_refused_and_changes_nothing(cli, args, message):
    assert cli("group", "create", "-n", "rg", "-l", "eastus").code == 0
    before = _seed_app()
    from azlocal.state.store import store

    r = cli("containerapp", "update", "-n", "app1", "-g", "rg", *args)
    _no_traceback(r)
    assert r.code == 1, r
    assert message in r.err
    assert store().get(before["id"]) == before
