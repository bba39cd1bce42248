"""Git contexts (azlocal.acr.sources) and commit triggers (azlocal.acr.git_triggers), without Docker:
URL and `#branch:folder` parsing, clone registration, the committed tree exported under the home."""

import os

import pytest
from dulwich import porcelain

from azlocal.acr import git_sources, git_triggers, sources
from azlocal.core.errors import AzLocalError, ResourceNotFound, ValidationError

AUTHOR = b"Learner <learner@example.com>"


def commit(repo, files, message="change"):
    for name, text in files.items():
        path = os.path.join(repo, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
    porcelain.add(repo, [os.path.join(repo, n) for n in files])
    return porcelain.commit(repo, message=message, author=AUTHOR, committer=AUTHOR).decode()


@pytest.fixture
def clone(tmp_path):
    path = str(tmp_path / "clone")
    porcelain.init(path)
    commit(path, {"Dockerfile": "FROM scratch\n", "app/Dockerfile": "FROM scratch\nCOPY a /a\n", "app/a": "one\n"})
    return path


@pytest.mark.parametrize("url,key,ref,folder", [
    ("https://github.com/Me/App.git", "github.com/me/app", "", ""),
    ("https://github.com/me/app.git#main", "github.com/me/app", "main", ""),
    ("https://github.com/me/app.git#main:src/web", "github.com/me/app", "main", "src/web"),
    ("https://github.com/me/app.git#:src", "github.com/me/app", "", "src"),
    ("https://github.com/me/app#dev", "github.com/me/app", "dev", ""),
    ("github.com/me/app.git#v1.2", "github.com/me/app", "v1.2", ""),
    ("git@github.com:me/app.git#main:web", "github.com/me/app", "main", "web"),
    ("https://me@dev.azure.com/org/proj/_git/repo#main:api", "dev.azure.com/org/proj/_git/repo", "main", "api"),
    ("https://org.visualstudio.com/proj/_git/repo", "org.visualstudio.com/proj/_git/repo", "", ""),
    ("https://github.com/me/app.git#" + "a" * 40, "github.com/me/app", "a" * 40, ""),
])
def test_remote_urls_and_the_branch_folder_fragment(url, key, ref, folder):
    assert sources.is_git(url)
    ctx = sources.parse(url)
    assert (ctx.key, ctx.ref, ctx.folder, ctx.local) == (key, ref, folder, False)
    assert ctx.url == url and "#" not in ctx.repository
    assert ctx.branch == (ref or "master")  # az's default branch for a trigger when the URL names none


def test_file_urls_name_the_clone_itself(tmp_path):
    ctx = sources.parse(f"file://{tmp_path}/repo.git#dev:web")
    assert (ctx.key, ctx.ref, ctx.folder, ctx.local) == (f"{tmp_path}/repo.git", "dev", "web", True)
    with pytest.raises(ValidationError, match="must name a folder on this machine"):
        sources.parse("file://server/share/repo")


@pytest.mark.parametrize("context", [".", "/dev/null", "/DEV/NULL", "oci://r.azurecr.io/a:1",
                                     "https://example.com/context.tar.gz", None])
def test_other_contexts_are_not_git(context):
    assert not sources.is_git(context)
    assert sources.folder(context) == context


@pytest.mark.parametrize("url,message", [
    ("https://github.com/me/app.git#main:../../etc", "must be a relative path inside the repository"),
    ("https://github.com/me/app.git#main:/etc", "must be a relative path inside the repository"),
    ("https://github.com/me/app.git#../x", "is not a valid branch"),
    ("https://github.com/me/app.git#-x", "is not a valid branch"),
    ("https://github.com/.git", "names no repository"),
])
def test_bad_urls_are_refused(url, message):
    with pytest.raises(ValidationError, match=message):
        sources.parse(url)


def test_an_unregistered_remote_says_how_to_register_a_clone(home, monkeypatch):
    monkeypatch.delenv("AZLOCAL_GIT_MIRRORS", raising=False)
    with pytest.raises(AzLocalError) as ex:
        sources.folder("https://github.com/me/app.git#main")
    assert ex.value.exit_code == 1
    assert str(ex.value) == (
        "The git repository 'https://github.com/me/app.git' has no local clone: github.com cannot be reached "
        "offline. Register a clone of it with `azlocal git add https://github.com/me/app.git <path to the clone>`, "
        "or set AZLOCAL_GIT_MIRRORS to a folder holding <host>/<path>.git clones.")


def test_registration_add_list_remove(home, clone):
    with pytest.raises(AzLocalError, match="is not a git repository"):
        git_sources.add("https://github.com/me/app.git", str(home))
    with pytest.raises(ValidationError, match="without '#<branch>:<folder>'"):
        git_sources.add("https://github.com/me/app.git#main", clone)
    assert git_sources.add("https://github.com/Me/App.git", clone)["repository"] == "github.com/me/app"
    assert git_sources.list_registrations() == [{"url": "https://github.com/Me/App.git",
                                             "repository": "github.com/me/app", "path": clone}]
    assert sources.clone_of(sources.parse("https://github.com/me/app#x")) == clone  # however it is spelled
    git_sources.remove("https://github.com/me/app")
    assert git_sources.list_registrations() == []
    with pytest.raises(ResourceNotFound):
        git_sources.remove("https://github.com/me/app.git")


def test_a_mirror_folder_stands_for_remotes(home, clone, tmp_path, monkeypatch):
    mirrors = tmp_path / "mirrors"
    (mirrors / "github.com" / "me").mkdir(parents=True)
    os.symlink(clone, mirrors / "github.com" / "me" / "app.git")
    monkeypatch.setenv("AZLOCAL_GIT_MIRRORS", str(mirrors))
    assert sources.clone_of(sources.parse("https://github.com/me/app.git")) == str(mirrors / "github.com/me/app.git")
    assert [r["repository"] for r in git_sources.list_registrations()] == ["github.com/me/app"]


def test_the_context_is_what_is_committed_on_the_branch(home, clone):
    first = sources.head(sources.parse(f"file://{clone}"))
    porcelain.branch_create(clone, "feature")  # stays at the first commit
    second = commit(clone, {"app/a": "two\n"})  # on the checked-out branch (master)
    with open(os.path.join(clone, "app", "a"), "w") as f:
        f.write("uncommitted\n")
    folder = sources.folder(f"file://{clone}#:app")
    assert open(os.path.join(folder, "a")).read() == "two\n"  # committed, not the uncommitted change
    assert sorted(os.listdir(folder)) == ["Dockerfile", "a"]
    assert os.path.commonpath([folder, str(home / "git-contexts")]) == str(home / "git-contexts")
    feature = sources.folder(f"file://{clone}#feature:app")
    assert open(os.path.join(feature, "a")).read() == "one\n"
    assert sources.head(sources.parse(f"file://{clone}#feature")) == first
    assert sources.head(sources.parse(f"file://{clone}#master")) == second
    pinned = sources.folder(f"file://{clone}#{first}")
    assert open(os.path.join(pinned, "app", "a")).read() == "one\n"
    with pytest.raises(AzLocalError, match="'nope' was not found"):
        sources.folder(f"file://{clone}#nope")
    with pytest.raises(AzLocalError, match="The folder 'missing' does not exist"):
        sources.folder(f"file://{clone}#:missing")


def test_an_export_folder_outside_the_home_is_refused(home, clone, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    os.symlink(outside, home / "git-contexts")
    with pytest.raises(ValidationError, match="outside azlocal's home"):
        sources.folder(f"file://{clone}")
    assert list(outside.iterdir()) == []


def test_source_triggers_as_az_builds_them():
    step = {"contextPath": "https://github.com/me/app.git#main:web"}
    options = {"commit_trigger": None, "git_access_token": "pat", "source_trigger_name": None}
    [trigger] = sources.source_triggers(step, options)
    assert options == {}  # taken out: run_options does not call them "recorded, no effect"
    assert trigger == {"name": "defaultSourceTriggerName",
                       "sourceRepository": {"branch": "main", "repositoryUrl": "https://github.com/me/app.git#main:web",
                                            "sourceControlAuthProperties": None, "sourceControlType": "Github"},
                       "sourceTriggerEvents": ["commit"], "status": "Enabled"}
    assert sources.source_triggers(step, {"commit_trigger": False}) is None
    with pytest.raises(AzLocalError, match=r"--git-access-token must be provided\.$"):
        sources.source_triggers(step, {"commit_trigger": True, "git_access_token": None})
    local = {"commit_trigger": True, "git_access_token": "pat"}
    assert sources.source_triggers({"contextPath": "/src"}, local) is None and local == {"commit_trigger": True}
    azure = sources.source_triggers({"contextPath": "https://dev.azure.com/o/p/_git/r"}, {})
    assert azure[0]["sourceRepository"]["sourceControlType"] == "VisualStudioTeamService"
    assert azure[0]["sourceRepository"]["branch"] == "master"


def test_poll_records_first_then_fires_on_a_new_commit(home, clone, monkeypatch):
    from azlocal.acr import tasks
    from azlocal.platform.store import store

    registry_id = "/subscriptions/s/resourceGroups/g/providers/Microsoft.ContainerRegistry/registries/myreg"
    context = f"file://{clone}#master"
    task = {"id": f"{registry_id}/tasks/build", "name": "build", "type": tasks.TASK_TYPE, "status": "Enabled",
            "step": {"contextPath": context},
            "trigger": {"sourceTriggers": sources.source_triggers({"contextPath": context}, {})}}
    store().put({"id": registry_id, "name": "myreg", "type": "Microsoft.ContainerRegistry/registries"})
    store().put(task)
    fired = []
    monkeypatch.setattr(git_triggers, "_spawn", lambda doc, name, trigger: fired.append((doc["name"], name, trigger)))
    assert git_triggers.poll() == 0 and git_triggers.poll() == 0  # the first sight only records
    new = commit(clone, {"Dockerfile": "FROM scratch\nLABEL v=2\n"})
    assert git_triggers.poll() == 1 and git_triggers.poll() == 0
    [(registry, name, trigger)] = fired
    assert (registry, name) == ("myreg", "build")
    assert trigger == {"branchName": "master", "commitId": new, "eventType": "Commit", "id": new,
                       "providerType": "VisualStudioTeamService", "pullRequestId": None,
                       "repositoryUrl": f"file://{clone}"}
    store().put(dict(task, status="Disabled"))
    commit(clone, {"Dockerfile": "FROM scratch\nLABEL v=3\n"})
    assert git_triggers.poll() == 0
    store().put(task)  # enabled again: the commit made while disabled does not fire
    assert git_triggers.poll() == 0 and len(fired) == 1
    store().put(dict(task, creationDate="later"))  # deleted and created again: its first poll only records
    commit(clone, {"Dockerfile": "FROM scratch\nLABEL v=4\n"})
    assert git_triggers.poll() == 0
    commit(clone, {"Dockerfile": "FROM scratch\nLABEL v=5\n"})
    assert git_triggers.poll() == 1 and len(fired) == 2


def test_git_commands_and_the_refused_groups(cli, clone):
    r = cli("git", "add", "https://github.com/me/app.git", clone)
    assert r.code == 0 and r.json()["repository"] == "github.com/me/app"
    assert [e["path"] for e in cli("git", "list").json()] == [clone]
    assert cli("git", "remove", "https://github.com/me/app.git").code == 0
    r = cli("git", "remove", "https://github.com/me/app.git")
    assert r.code == 3 and "No clone is registered for 'https://github.com/me/app.git'" in r.err
    r = cli("acr", "helm", "list", "-n", "myregistry")
    assert r.code == 1
    assert "command group 'acr helm' is deprecated" in r.err
    assert "Helm 2 chart repositories (az acr helm) were retired by Azure Container Registry on March 30th" in r.err
    assert "oci://myregistry.azurecr.io/helm" in r.err
    for argv in (["push", "-n", "myregistry", "chart-0.1.0.tgz"], ["delete", "-n", "myregistry", "chart", "-y"],
                 ["show", "-n", "myregistry", "chart"], ["repo", "add", "-n", "myregistry"]):
        assert cli("acr", "helm", *argv).code == 1
    r = cli("acr", "helm", "install-cli", "-y")
    assert r.code == 1 and "https://get.helm.sh, which cannot be reached offline" in r.err
    r = cli("acr", "pack", "build", "-r", "nosuchregistry", "-t", "app:v1", "-b", "paketobuildpacks/builder:base", ".")
    assert r.code == 1 and "could not be found in subscription" in r.err  # the registry is looked up first


def test_a_commit_run_renders_its_commit_and_branch(monkeypatch):
    import json

    from azlocal.acr import run_steps

    doc = {"loginServer": "r.azurecr.io", "name": "r"}
    assert run_steps.render("{{.Run.Commit}}/{{.Run.Branch}}", doc, "ca1") == "/"
    monkeypatch.setenv("AZLOCAL_RUN_SOURCE_TRIGGER", json.dumps({"commitId": "abc123", "branchName": "main"}))
    assert run_steps.render("app:{{.Run.Commit}}-{{.Run.Branch}} $Commit", doc, "ca1") == "app:abc123-main abc123"
