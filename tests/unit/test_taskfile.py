"""Parsing and validating ACR task files (no Docker)."""

import pytest

from azlocal.acr import runs, taskfile
from azlocal.core.errors import AzLocalError

DOC = {"name": "myreg", "loginServer": "myreg.azurecr.io",
       "id": "/subscriptions/s/resourceGroups/g/providers/x/y/myreg"}


def _parse(text, values=None):
    return taskfile.parse(text, lambda t: runs.render(t, DOC, "ca7", values))


def test_defaults_ids_and_variables():
    task = _parse("""
version: v1.1.0
steps:
  - build: -t $Registry/app:$ID .
  - cmd: "{{.Run.Registry}}/app:{{.Run.ID}} --flag {{.Values.x}}"
    when: ["-"]
  - push: ["$Registry/app:$ID"]
""", values={"x": "42"})
    assert [s.id for s in task.steps] == ["acb_step_0", "acb_step_1", "acb_step_2"]
    assert task.steps[0].value == "-t myreg.azurecr.io/app:ca7 ."
    assert task.steps[1].value == "myreg.azurecr.io/app:ca7 --flag 42"
    assert task.steps[1].when == ["-"]
    assert task.steps[2].value == ["myreg.azurecr.io/app:ca7"]
    assert task.steps[0].timeout == 600


@pytest.mark.parametrize("text, message", [
    ("steps:\n  - id: a\n", "missing a cmd, build, or push"),
    ("steps:\n  - cmd: x\n    build: .\n", "only contain a single"),
    ("steps:\n  - id: a b\n    cmd: x\n", "cannot contain spaces"),
    ("steps:\n  - cmd: x\n    when: ['-', 'a']\n", "immediate execution token"),
    ("steps:\n  - id: a\n    cmd: x\n    when: ['a']\n", "itself"),
    ("steps:\n  - cmd: x\n    when: ['nope']\n", "unknown step"),
    ("steps:\n  - cmd: x\n    retries: -1\n", "negative"),
    ("steps: [", "parse"),
    ("version: v1.1.0\n", "steps"),
    ("steps:\n  - id: a\n    cmd: x\n  - id: a\n    cmd: y\n", "duplicate"),
])
def test_invalid_task_files_are_refused(text, message):
    with pytest.raises(AzLocalError, match=message):
        _parse(text)


def test_step_timeout_default_and_override():
    task = _parse("stepTimeout: 30\nsteps:\n  - cmd: a\n  - cmd: b\n    timeout: 5\n")
    assert [s.timeout for s in task.steps] == [30, 5]


def test_qualify_adds_the_registry_only_to_bare_names():
    assert runs.qualify("app:v1", DOC) == "myreg.azurecr.io/app:v1"
    assert runs.qualify("other.azurecr.io/app:v1", DOC) == "other.azurecr.io/app:v1"
    assert runs.qualify("localhost:5000/app", DOC) == "localhost:5000/app"
