"""Git contexts and commit triggers: `az acr build` and `az acr task create` on a git repository made with the
git CLI, resolved to its committed tree; a registered clone stands for its https://github.com URL; a commit
to the watched branch starts the task, and the run records the commit."""

import random
import subprocess
import time

import pytest

from tests.integration import busybox

pytestmark = pytest.mark.integration
REMOTE = "https://github.com/learner/acr-build-helloworld.git"


def git(repo, *args):
    out = subprocess.run(["git", "-C", str(repo), "-c", "user.name=Learner", "-c", "user.email=learner@example.com",
                          *args], capture_output=True, text=True, check=True)
    return out.stdout.strip()


def commit_version(repo, text):
    (repo / "web" / "version").write_text(text + "\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", text)
    return git(repo, "rev-parse", "HEAD")


@pytest.fixture
def repo(tmp_path):
    path = tmp_path / "clone"
    path.mkdir()
    git(path, "init", "-q", "-b", "main")
    busybox.write_context(path / "web", ["COPY version /version", 'CMD ["cat", "/version"]'])
    commit_version(path, "committed-1")
    git(path, "branch", "other")
    return path


@pytest.fixture
def registry(az):
    name = f"azlgit{random.randint(10000, 99999)}"
    assert az("group", "create", "-n", "git-rg", "-l", "eastus", "-o", "none").code == 0
    r = az("acr", "create", "-n", name, "-g", "git-rg", "--sku", "Standard", "-o", "none")
    assert r.code == 0, r.err
    yield name
    az("group", "delete", "-n", "git-rg", "--yes")


def printed_by(az, registry, image):
    r = az("acr", "run", "-r", registry, "--cmd", f"$Registry/{image}", "/dev/null")
    assert r.code == 0, r.err + r.out
    return r.out


def test_git_contexts_and_commit_triggers(az, registry, repo, bin_dir, home):
    # a file:// URL with #branch:folder builds what is committed on that branch, not the working tree
    (repo / "web" / "version").write_text("uncommitted\n")
    r = az("acr", "build", "-r", registry, "-t", "web:v1", f"file://{repo}#main:web")
    assert r.code == 0, r.err + r.out
    out = printed_by(az, registry, "web:v1")
    assert "committed-1" in out and "uncommitted" not in out
    git(repo, "checkout", "-q", "--", ".")
    assert list((home / "git-contexts").iterdir()) == []  # the exported tree is gone with its process

    # an unregistered remote fails, says how to register a clone, and creates nothing
    runs_before = az("acr", "task", "list-runs", "-r", registry).json()
    r = az("acr", "build", "-r", registry, "-t", "web:v2", f"{REMOTE}#main:web")
    assert r.code == 1
    assert f"has no local clone: github.com cannot be reached offline. Register a clone of it with `azlocal git add " \
           f"{REMOTE} <path to the clone>`" in r.err
    r = az("acr", "task", "create", "-r", registry, "-n", "webci", "-t", "web:{{.Run.ID}}", "-c", f"{REMOTE}#main:web",
           "-f", "Dockerfile", "--git-access-token", "pat")
    assert r.code == 1 and "azlocal git add" in r.err
    assert az("acr", "task", "list", "-r", registry).json() == []
    assert az("acr", "task", "list-runs", "-r", registry).json() == runs_before

    # registered, the https URL builds from the clone
    add = subprocess.run(["azlocal", "git", "add", REMOTE, str(repo)], capture_output=True, text=True, env=az.env)
    assert add.returncode == 0, add.stderr
    assert az("acr", "build", "-r", registry, "-t", "web:v2", f"{REMOTE}#main:web").code == 0
    assert "committed-1" in printed_by(az, registry, "web:v2")

    # a task with a commit trigger: its URL kept as given, the branch watched
    r = az("acr", "task", "create", "-r", registry, "-n", "webci", "-t", "web:{{.Run.ID}}", "-c", f"{REMOTE}#main:web",
           "-f", "Dockerfile", "--git-access-token", "pat")
    assert r.code == 0, r.err
    task = r.json()
    assert task["step"]["contextPath"] == f"{REMOTE}#main:web"
    [trigger] = task["trigger"]["sourceTriggers"]
    assert trigger["sourceRepository"] == {"branch": "main", "repositoryUrl": f"{REMOTE}#main:web",
                                           "sourceControlAuthProperties": None, "sourceControlType": "Github"}
    assert (trigger["sourceTriggerEvents"], trigger["status"]) == (["commit"], "Enabled")

    from azlocal.acr import git_triggers
    from azlocal.platform.store import store

    seen = git_triggers.SEEN + task["id"].lower()
    deadline = time.monotonic() + 15
    while store().get_value(seen) is None and time.monotonic() < deadline:
        time.sleep(0.5)  # the daemon's first poll records the branch head
    assert store().get_value(seen) is not None
    git(repo, "checkout", "-q", "other")
    commit_version(repo, "on-another-branch")  # not the watched branch: no run
    git(repo, "checkout", "-q", "main")
    new = commit_version(repo, "committed-2")
    deadline, runs = time.monotonic() + 40, []
    while time.monotonic() < deadline:
        runs = [x for x in az("acr", "task", "list-runs", "-r", registry, "-n", "webci").json()
                if x["status"] not in ("Queued", "Running", "Started")]
        if runs and runs[0].get("sourceTrigger"):
            break
        time.sleep(1)
    [run] = runs
    assert run["status"] == "Succeeded", run
    assert (run["runType"], run["task"]) == ("AutoBuild", "webci")
    assert run["sourceTrigger"] == {"branchName": "main", "commitId": new, "eventType": "Commit", "id": new,
                                    "providerType": "Github", "pullRequestId": None, "repositoryUrl": REMOTE}
    assert "committed-2" in printed_by(az, registry, f"web:{run['runId']}")
    time.sleep(6)  # no second run for the same commit
    assert len(az("acr", "task", "list-runs", "-r", registry, "-n", "webci").json()) == 1

    # --commit-trigger-enabled false stops the watch; the registration can be removed
    r = az("acr", "task", "update", "-r", registry, "-n", "webci", "--commit-trigger-enabled", "false")
    assert r.code == 0 and r.json()["trigger"]["sourceTriggers"][0]["status"] == "Disabled"
    # a run's --context override: another branch of the clone, by its file:// URL
    r = az("acr", "task", "run", "-r", registry, "-n", "webci", "--context", f"file://{repo}#other:web", "--no-logs")
    assert r.code == 0 and r.json()["status"] == "Succeeded", r.err
    assert "on-another-branch" in printed_by(az, registry, f"web:{r.json()['runId']}")
    assert subprocess.run(["azlocal", "git", "remove", REMOTE], env=az.env).returncode == 0
    assert az("acr", "build", "-r", registry, "-t", "web:v3", f"{REMOTE}#main:web").code == 1
