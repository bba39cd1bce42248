"""platform/memfs: this home's folder on a tmpfs, and nothing left there once its resources are gone."""

from azlocal.platform import memfs


def _fake_tmpfs(monkeypatch, tmp_path):
    tmpfs = tmp_path / "shm"
    tmpfs.mkdir()
    monkeypatch.setattr(memfs, "CANDIDATES", (str(tmpfs),))
    monkeypatch.setattr(memfs, "tmpfs_mounts", lambda: {str(tmpfs)})
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    return tmpfs


def test_the_homes_folder_is_private_and_goes_with_its_last_resource(home, monkeypatch, tmp_path):
    tmpfs = _fake_tmpfs(monkeypatch, tmp_path)
    root = memfs.root()
    assert root.parent == tmpfs and oct(root.stat().st_mode & 0o777) == "0o700"
    (root / "abc" / "v").mkdir(parents=True)
    (root / "def").mkdir()
    memfs.remove("abc")
    assert not (root / "abc").exists() and root.exists()  # another resource still has files here
    memfs.remove("def")
    assert list(tmpfs.iterdir()) == []


def test_looking_does_not_create_and_no_tmpfs_means_none(home, monkeypatch, tmp_path):
    tmpfs = _fake_tmpfs(monkeypatch, tmp_path)
    assert memfs.root(create=False) is not None and list(tmpfs.iterdir()) == []
    memfs.remove("abc")
    assert list(tmpfs.iterdir()) == []
    monkeypatch.setattr(memfs, "tmpfs_mounts", lambda: set())
    assert memfs.root() is None
