"""Shared fixtures: every test gets its own AZLOCAL_HOME; `az` runs as a real subprocess or in-process."""

import io
import json
import logging
import os
import subprocess
import sys
from contextlib import redirect_stderr
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("AZLOCAL_SHARED", ROOT.parent / "shared"))


def _reset_process_state():
    import azlocal.platform.secrets as secrets
    import azlocal.platform.store as store

    if store._store is not None:
        store._store.close()
    store._store = None
    secrets._backend = None


@pytest.fixture(scope="session")
def session_ca(tmp_path_factory):
    """One local CA for every integration test's home, trusted once per session.

    Installing a CA into the system trust store runs update-ca-certificates (and its hooks, e.g. the Java
    keystore's), seconds each time; a CA per test home cost that twice per test. Each integration home
    starts with this CA (certificate, key in its secret store, and its trust-store file with the same
    content, so `tls._trust` finds it installed); a test that replaces its CA is untrusted as before."""
    from azlocal.platform import tls

    path = tmp_path_factory.mktemp("session-ca-home")
    saved = os.environ.get("AZLOCAL_HOME")
    os.environ["AZLOCAL_HOME"] = str(path)
    _reset_process_state()
    try:
        cert, key = tls.ensure_ca()
    finally:
        _restore_home(saved)
    yield cert, key.decode()
    os.environ["AZLOCAL_HOME"] = str(path)
    _reset_process_state()
    try:
        tls.untrust()
    finally:
        _restore_home(saved)


def _restore_home(saved):
    if saved is None:
        os.environ.pop("AZLOCAL_HOME", None)
    else:
        os.environ["AZLOCAL_HOME"] = saved
    _reset_process_state()


def _seed_ca(path, session_ca):
    from azlocal.platform import secrets, tls

    cert, key = session_ca
    (path / "ca.crt").write_bytes(cert)
    secrets.set_secret(tls.CA_SECRET, key)
    if os.path.isdir(tls.SYSTEM_DIR) and os.access(tls.SYSTEM_DIR, os.W_OK):
        Path(tls._system_cert_path()).write_bytes(cert)


@pytest.fixture
def home(tmp_path, monkeypatch, request):
    path = tmp_path / "home"
    path.mkdir()
    monkeypatch.setenv("AZLOCAL_HOME", str(path))
    for var in ("AZURE_DEFAULTS_GROUP", "AZURE_DEFAULTS_LOCATION", "AZURE_DEFAULTS_ACR"):
        monkeypatch.delenv(var, raising=False)
    _reset_process_state()
    shared_ca = request.getfixturevalue("session_ca") if request.node.get_closest_marker("integration") else None
    if shared_ca:
        _seed_ca(path, shared_ca)
    yield path
    _stop_daemon_and_hosts(path, shared_ca)
    _reset_process_state()


def _stop_daemon_and_hosts(path, shared_ca=None):
    """A test's daemon must not outlive it (the next test's home wants the same port)."""
    if (path / "daemon.json").exists() or (path / "hosts.lock").exists():
        from azlocal.platform import hosts, lifecycle

        lifecycle.stop()
        hosts.remove_all()
    if (path / "ca.crt").exists():
        from azlocal.platform import tls

        if shared_ca and (path / "ca.crt").read_bytes() == shared_ca[0]:
            Path(tls._system_cert_path()).unlink(missing_ok=True)  # a copy of the session's, never linked
        else:
            tls.untrust()


class Result:
    def __init__(self, code, out, err):
        self.code, self.out, self.err = code, out, err

    def json(self):
        return json.loads(self.out)

    def __repr__(self):
        return f"Result(code={self.code}, out={self.out!r}, err={self.err!r})"


@pytest.fixture
def cli(home):
    """Runs az in this process (fast): cli("group", "list") -> Result."""
    from azlocal.cli import get_cli

    def run(*args):
        out, err = io.StringIO(), io.StringIO()
        cli_obj = get_cli()
        cli_obj.out_file = out
        # knack configures logging only when the root logger has no handler (pytest adds one),
        # and binds its handler to the stderr of that moment: give it a clean slate each call.
        root, cli_logger = logging.getLogger(), logging.getLogger("cli")
        saved = root.handlers[:], cli_logger.handlers[:]
        root.handlers.clear()
        cli_logger.handlers.clear()
        try:
            with redirect_stderr(err):
                try:
                    code = cli_obj.invoke(list(args), out_file=out)
                except SystemExit as ex:
                    code = ex.code
        finally:
            root.handlers[:], cli_logger.handlers[:] = saved
        return Result(code, out.getvalue(), err.getvalue())

    return run


@pytest.fixture
def bin_dir(tmp_path):
    """A folder with an `az` that is azlocal, to put first on PATH."""
    path = tmp_path / "bin"
    path.mkdir()
    for name in ("az", "azlocal"):
        entry = "main" if name == "az" else "azlocal_main"
        script = path / name
        script.write_text(f'#!/bin/sh\nexec "{sys.executable}" -c "from azlocal.cli import {entry}; {entry}()" "$@"\n')
        script.chmod(0o755)
    return path


@pytest.fixture
def az(home, bin_dir):
    """Runs the real `az` entry point as a subprocess: az("group", "list") -> Result."""
    env = dict(os.environ, PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}")

    def run(*args, input=None, timeout=600):
        proc = subprocess.run(["az", *args], capture_output=True, text=True, env=env, input=input,
                              timeout=timeout)
        return Result(proc.returncode, proc.stdout, proc.stderr)

    run.env = env
    return run
