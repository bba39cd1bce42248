"""The lifecycle table of azlocal.aci.operations (stop / start / restart in every group state) with a fake
engine, the exec stream's framing, and the secret volumes' place in memory."""

import pytest

from azlocal.aci import operations, volumes
from azlocal.core.errors import AzLocalError
from azlocal.platform import memfs

DOC = {"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerInstance/containerGroups/web",
       "name": "web", "restartPolicy": "Always", "containers": [{"name": "web"}], "volumes": None}


class FakeContainer:
    def __init__(self, name, status="running"):
        self.id, self.status, self.calls = f"id-{name}", status, []
        self.labels = {"azlocal.aci.container": name}

    def update(self, **kw):
        self.calls.append(("update", kw["restart_policy"]["Name"]))

    def stop(self, timeout):
        self.calls.append(("stop",))
        self.status = "exited"

    def start(self):
        self.calls.append(("start",))
        self.status = "running"

    def wait(self):
        return {"StatusCode": 0}


@pytest.fixture
def group(monkeypatch, home):
    live = {"app": {"web": FakeContainer("web")}, "init": {}, "infra": {}}
    state = {"value": "Running"}
    monkeypatch.setattr(operations, "_stored", lambda rg, name: DOC)
    monkeypatch.setattr(operations, "_containers", lambda doc, role="app": live[role])
    monkeypatch.setattr(operations, "_state", lambda doc: state["value"])
    monkeypatch.setattr(operations, "_wait_started", lambda doc: None)
    container = live["app"]["web"]
    monkeypatch.setattr(operations, "redeploy", lambda doc: container.calls.append(("redeploy",)))
    return container, state


def _stopped_flag():
    from azlocal.platform.store import store

    return store().get_value(f"aci-stopped/{DOC['id'].lower()}", False)


@pytest.mark.parametrize("state", ["Succeeded", "Failed", "Stopped"])
def test_stop_leaves_a_terminated_or_stopped_group_alone(group, state):
    container, current = group
    current["value"] = state
    operations.stop("rg", "web")
    assert container.calls == [] and not _stopped_flag()


@pytest.mark.parametrize("state", ["Running", "Pending"])
def test_stop_stops_a_running_group_and_marks_it_stopped(group, state):
    container, current = group
    current["value"] = state
    operations.stop("rg", "web")
    assert container.calls == [("update", "no"), ("stop",)] and _stopped_flag()


@pytest.mark.parametrize("state", ["Stopped", "Succeeded", "Failed"])
def test_start_runs_a_stopped_or_terminated_group_again_under_its_policy(group, state):
    container, current = group
    current["value"] = state
    operations.start("rg", "web")  # a new deployment: new containers, then started under the policy
    assert container.calls == [("redeploy",), ("update", "always"), ("start",)] and not _stopped_flag()


def test_start_leaves_a_running_group_alone(group):
    container, _ = group
    operations.start("rg", "web")
    assert container.calls == []


def test_restart_of_a_stopped_group_is_refused_as_azure_refuses_it(group):
    container, current = group
    current["value"] = "Stopped"
    with pytest.raises(AzLocalError, match=r"^\(ContainerGroupStopped\) Container Group 'web' in resource group "
                                           r"'rg' is stopped\.$"):
        operations.restart("rg", "web")
    assert container.calls == []


def test_restart_runs_every_container_again(group):
    container, _ = group
    operations.restart("rg", "web")  # in place: the same containers
    assert container.calls == [("update", "no"), ("stop",), ("update", "always"), ("start",)]


class Chunks:
    def __init__(self, chunks):
        self.chunks = list(chunks)

    def recv(self, size):
        return self.chunks.pop(0) if self.chunks else b""


def test_exec_frames_are_split_by_stream_even_across_reads():
    stream = b"\x01\x00\x00\x00\x00\x00\x00\x03hi\n" + b"\x02\x00\x00\x00\x00\x00\x00\x04err\n"
    frames = list(operations._frames(Chunks([stream[:5], stream[5:13], stream[13:]])))
    assert frames == [(1, b"hi\n"), (2, b"err\n")]


def test_secret_files_go_to_memory_never_to_the_home(home, monkeypatch, tmp_path):
    tmpfs = tmp_path / "shm"
    tmpfs.mkdir()
    monkeypatch.setattr(memfs, "CANDIDATES", (str(tmpfs),))
    monkeypatch.setattr(memfs, "tmpfs_mounts", lambda: {str(tmpfs)})
    folder = volumes._write_secret_files(DOC, "creds", {"token": "c2VjcmV0"})
    assert folder.parent.parent.parent == tmpfs and (folder / "token").read_bytes() == b"secret"
    assert oct(folder.parent.parent.stat().st_mode & 0o777) == "0o700"
    assert not (home / "aci-secrets").exists()
    volumes.remove_memory_files(DOC)
    assert not folder.exists()


def test_without_a_tmpfs_secret_files_stay_in_the_home_with_a_warning(home, monkeypatch):
    warnings = []
    monkeypatch.setattr(memfs, "tmpfs_mounts", lambda: set())
    monkeypatch.setattr(volumes.logger, "warning", lambda text, *args: warnings.append(text % args))
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    folder = volumes._write_secret_files(DOC, "creds", {"token": "c2VjcmV0"})
    assert home in folder.parents
    assert len(warnings) == 1 and "no tmpfs" in warnings[0] and "'creds'" in warnings[0]
