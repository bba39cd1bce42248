"""Test images built locally FROM scratch with the host's static busybox (nothing is pulled)."""

import os
import shutil
import subprocess

from azlocal.core import settings


def write_context(path, extra_dockerfile_lines=(), files=None):
    """A build context whose Dockerfile gives a busybox image with sh/httpd/wget on PATH."""
    path.mkdir(parents=True, exist_ok=True)
    shutil.copy(settings.busybox_path(), path / "busybox")
    lines = ["FROM scratch", "COPY busybox /bin/busybox", 'RUN ["/bin/busybox", "--install", "-s", "/bin"]',
             "ENV PATH=/bin"]
    (path / "Dockerfile").write_text("\n".join(lines + list(extra_dockerfile_lines)) + "\n")
    for name, text in (files or {}).items():
        target = path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
        os.chmod(target, 0o755)
    return path


def build(path, tag):
    subprocess.run(["docker", "build", "-q", "-t", tag, str(path)], check=True, capture_output=True)
    return tag


def resource_group(az, name, location="eastus"):
    """A test's resource group, with azlocal's busybox base image built for its containers; the group is
    deleted afterwards. For a fixture: `yield from busybox.resource_group(az, "my-rg")`."""
    from azlocal.platform.engine.docker_client import client
    from azlocal.platform.engine.standins import build_base

    build_base(client())
    assert az("group", "create", "-n", name, "-l", location, "-o", "none").code == 0
    yield name
    az("group", "delete", "-n", name, "--yes")
