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
