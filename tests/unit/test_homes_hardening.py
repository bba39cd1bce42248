"""Issue 9 items 3 and 4 without Docker: names carry the home, lookups and sweeps filter by it, and a
group delete finds its secrets by key and its Docker objects by label even when it has no rows."""

import hashlib

import pytest

import azlocal.platform.engine.docker_client as docker_client
import azlocal.platform.secrets as secrets
from azlocal.platform.engine import labels
from tests.conftest import _reset_process_state

SUB = "/subscriptions/00000000-0000-0000-0000-000000000000"
ACI_ID = f"{SUB}/resourceGroups/rg/providers/Microsoft.ContainerInstance/containerGroups/web"
ENV_ID = f"{SUB}/resourceGroups/rg/providers/Microsoft.App/managedEnvironments/env"
APP_ID = f"{SUB}/resourceGroups/rg/providers/Microsoft.App/containerApps/app"


# A fake engine (unit tests may fake the engine): objects with names and labels, listed as dockerd does --

class _Obj:
    def __init__(self, kind, name, labels_):
        self.kind, self.name, self.labels, self.id = kind, name, labels_, hashlib.sha256(name.encode()).hexdigest()
        self.removed = False

    def remove(self, **_):
        self.removed = True


class _Collection:
    def __init__(self, objects):
        self.objects = objects

    def list(self, all=False, filters=None, names=None):
        found = [o for o in self.objects if not o.removed]
        for want in (filters or {}).get("label", []):
            key, _, value = want.partition("=")
            found = [o for o in found if o.labels.get(key) == value]
        if names:  # dockerd's name filter matches substrings, as the real one does
            found = [o for o in found if any(n in o.name for n in names)]
        return found


class _Engine:
    def __init__(self, objects):
        self.containers = _Collection([o for o in objects if o.kind == "container"])
        self.networks = _Collection([o for o in objects if o.kind == "network"])
        self.volumes = _Collection([o for o in objects if o.kind == "volume"])

    def ping(self):
        return True


@pytest.fixture
def engine(monkeypatch):
    def install(objects):
        fake = _Engine(objects)
        monkeypatch.setattr(docker_client, "_client", fake)
        return fake
    return install


def _in_home(monkeypatch, path):
    path.mkdir(exist_ok=True)
    monkeypatch.setenv("AZLOCAL_HOME", str(path))
    _reset_process_state()


def _labelled(kind, name, home, group="rg", resource=ACI_ID):
    return _Obj(kind, name, {labels.HOME: str(home.resolve()), labels.GROUP: group, labels.RESOURCE: resource.lower()})


# Item 3: names ------------------------------------------------------------------------------------------

def test_docker_names_differ_between_homes_with_the_same_resource_names(tmp_path, monkeypatch):
    from azlocal.aca import environments
    from azlocal.aci import containergroups

    names = []
    for home in ("a", "b"):
        _in_home(monkeypatch, tmp_path / home)
        names.append((containergroups._names({"id": ACI_ID, "name": "web"}),
                      environments.network_name({"id": ENV_ID}), labels.name_hash(APP_ID, "app--0000001")))
    (infra_a, net_a, base_a), env_a, pod_a = names[0]
    (infra_b, net_b, base_b), env_b, pod_b = names[1]
    assert {infra_a, net_a, base_a, env_a, pod_a}.isdisjoint({infra_b, net_b, base_b, env_b, pod_b})
    # and stay stable within one home
    assert environments.network_name({"id": ENV_ID}) == env_b


def test_environment_network_is_found_by_the_homes_labels_not_by_its_name(tmp_path, monkeypatch, engine):
    from azlocal.aca import environments
    from azlocal.core.errors import AzLocalError

    home_a, home_b = tmp_path / "a", tmp_path / "b"
    _in_home(monkeypatch, home_b)
    name = environments.network_name({"id": ENV_ID})
    # Another home's network with the very same name (as before the fix) must never be chosen.
    other = _labelled("network", name, home_a.resolve(), resource=ENV_ID)
    engine([other])
    with pytest.raises(AzLocalError, match="network of the environment 'env' is missing"):
        environments.network_of({"id": ENV_ID, "name": "env"})
    mine = _labelled("network", name, home_b, resource=ENV_ID)
    engine([other, mine])
    assert environments.network_of({"id": ENV_ID, "name": "env"}) is mine


def test_environment_cleanup_never_removes_another_homes_network(tmp_path, monkeypatch, engine):
    from azlocal.aca import environments

    home_a, home_b = tmp_path / "a", tmp_path / "b"
    _in_home(monkeypatch, home_b)
    name = environments.network_name({"id": ENV_ID})
    other = _labelled("network", name, home_a.resolve(), resource=ENV_ID)
    mine = _labelled("network", name, home_b, resource=ENV_ID)
    engine([other, mine])
    environments.cleanup_environment({"id": ENV_ID, "name": "env"})
    assert mine.removed and not other.removed


def test_label_sweep_touches_only_this_home_and_this_group(tmp_path, monkeypatch, engine):
    home_a, home_b = tmp_path / "a", tmp_path / "b"
    _in_home(monkeypatch, home_b)
    objects = [_labelled(kind, f"{kind}-{h.name}-{g}", h.resolve(), group=g)
               for kind in ("container", "network", "volume") for h in (home_a, home_b) for g in ("rg", "other")]
    engine(objects)
    assert labels.remove_labelled(group="rg") == 3
    gone = {o.name for o in objects if o.removed}
    assert gone == {"container-b-rg", "network-b-rg", "volume-b-rg"}
    assert labels.remove_labelled() == 3  # reset: this home's, every group
    assert {o.name for o in objects if not o.removed} == {f"{k}-a-{g}" for k in ("container", "network", "volume")
                                                          for g in ("rg", "other")}


# Item 4: secrets by group, sweeps without rows ------------------------------------------------------------

def test_secret_keys_carry_their_group(home):
    from azlocal.aca import revisions
    from azlocal.aci import containergroups

    aci = containergroups._secret_prefix(ACI_ID)
    aca = revisions.secret_key({"id": APP_ID}, "pw")
    assert aci.startswith(f"aci/{secrets.group_key('rg')}/") and aca.startswith(f"aca/{secrets.group_key('RG')}/")
    # Secret folders are named by the first digits of the same hash (cleanup.secret_folders relies on it).
    assert containergroups._short(ACI_ID) == secrets.resource_key(ACI_ID)[:10]
    assert hashlib.sha256(APP_ID.lower().encode()).hexdigest()[:12] == secrets.resource_key(APP_ID)[:12]


def test_group_delete_without_rows_sweeps_labels_secrets_and_folders(cli, home, engine):
    """A `container create` killed before its row was written left containers, a network and its
    secure value: `az group delete` removes them all (before the fix it returned early)."""
    from azlocal.aci import containergroups

    assert cli("group", "create", "-n", "rg", "-l", "eastus", "-o", "none").code == 0
    assert cli("group", "create", "-n", "keep", "-l", "eastus", "-o", "none").code == 0
    keep_id = ACI_ID.replace("/rg/", "/keep/")
    prefix = containergroups._secret_prefix(ACI_ID)
    secrets.set_secret(f"{prefix}env/web/PASSWORD", "s3cret-value")
    secrets.set_secret(f"{containergroups._secret_prefix(keep_id)}env/web/PASSWORD", "kept-value")
    folder = home / "aci-secrets" / containergroups._short(ACI_ID) / "volume"
    folder.mkdir(parents=True)
    (folder / "f").write_text("s3cret-file")
    debris = [_labelled("container", "c1", home), _labelled("container", "c2", home),
              _labelled("network", "n1", home)]
    kept = [_labelled("container", "k1", home, group="keep", resource=keep_id)]
    engine(debris + kept)
    r = cli("group", "delete", "-n", "rg", "--yes")
    assert r.code == 0, r.err
    assert all(o.removed for o in debris) and not any(o.removed for o in kept)
    assert secrets.list_keys(prefix) == []
    assert "s3cret-value" not in (home / "secrets.cfg").read_text()
    assert not folder.exists()
    assert secrets.get_secret(f"{containergroups._secret_prefix(keep_id)}env/web/PASSWORD") == "kept-value"


def test_keys_of_the_earlier_form_are_still_read_and_deleted(home):
    legacy = f"aci/{secrets.resource_key(ACI_ID)}/env/web/X"
    secrets.set_secret(legacy, "old")
    prefix = secrets.resource_prefix("aci", ACI_ID)
    assert secrets.get_secret(f"{prefix}env/web/X") == "old"
    secrets.delete_prefix(prefix)
    assert secrets.list_keys("aci/") == []


def test_a_system_keyring_is_swept_by_group_too(home, monkeypatch):
    """A backend that cannot list its keys (AZLOCAL_KEYRING=system): the home keeps their names."""
    import keyring
    from keyring.backend import KeyringBackend

    class Memory(KeyringBackend):
        priority = 1

        def __init__(self):
            super().__init__()
            self.values = {}

        def set_password(self, service, username, password):
            self.values[(service, username)] = password

        def get_password(self, service, username):
            return self.values.get((service, username))

        def delete_password(self, service, username):
            self.values.pop((service, username), None)

    memory = Memory()
    monkeypatch.setenv("AZLOCAL_KEYRING", "system")
    monkeypatch.setattr(keyring, "get_keyring", lambda: memory)
    monkeypatch.setattr(secrets, "_backend", None)
    prefix = secrets.resource_prefix("aca", APP_ID)
    secrets.set_secret(f"{prefix}secrets/pw", "value-1")
    secrets.set_secret(f"{secrets.resource_prefix('aca', APP_ID.replace('/rg/', '/other/'))}secrets/pw", "value-2")
    assert secrets.list_keys(prefix) == [f"{prefix}secrets/pw"]
    assert secrets.delete_group("rg") == [secrets.resource_key(APP_ID)]
    assert list(memory.values.values()) == ["value-2"]
    assert "value" not in (home / "secret-keys").read_text()
