"""The stand-ins' data file (complete and consistent) and name matching, without Docker."""

import re

import pytest

from azlocal.platform.engine import standins
from tests.conftest import SHARED

TSV = SHARED / "reference" / "docs-commands.tsv"
# Every image of the docs' command lines from these registries must be in the data file.
MUST_LIST = re.compile(r"(?:mcr\.microsoft\.com/|docker\.io/|dapriosamples/)[A-Za-z0-9._/-]+(?:[:@][\w.:-]+)?")


def test_names_normalise_with_and_without_latest():
    assert standins.normalise("mcr.microsoft.com/hello-world") == "mcr.microsoft.com/hello-world:latest"
    assert standins.normalise("mcr.microsoft.com/hello-world:latest") == "mcr.microsoft.com/hello-world:latest"
    assert standins.normalise("localhost:5000/x") == "localhost:5000/x:latest"
    assert standins.normalise("x@sha256:abc") == "x@sha256:abc"


def test_known_images():
    for name in ("mcr.microsoft.com/hello-world", "mcr.microsoft.com/hello-world:1.1.2",
                 "mcr.microsoft.com/azuredocs/aci-helloworld:latest", "mcr.microsoft.com/azuredocs/aci-wordcount",
                 "mcr.microsoft.com/azuredocs/aci-tutorial-sidecar", "mcr.microsoft.com/azuredocs/aci-hellofiles",
                 "mcr.microsoft.com/azuredocs/containerapps-helloworld:latest", "mcr.microsoft.com/k8se/quickstart",
                 "mcr.microsoft.com/k8se/quickstart-jobs:latest", "mcr.microsoft.com/oss/nginx/nginx:1.15.5-alpine",
                 "dapriosamples/hello-k8s-node:latest", "docker.io/dapriosamples/hello-k8s-python"):
        assert standins.is_known(name), name
    # Docker's name rules: these three are one image.
    for name in ("hello-world", "library/hello-world:latest", "docker.io/library/hello-world"):
        assert standins.standin_for(name) is standins.standin_for("docker.io/library/hello-world:latest"), name
    for name in ("mcr.microsoft.com/hello-world:v2", "mcr.microsoft.com/oss/nginx/nginx:latest", "nginx", "ubuntu",
                 "mcr.microsoft.com/hello-world@sha256:" + "a" * 64, "not a reference", ""):
        assert not standins.is_known(name), name


def test_images_without_a_stand_in_say_why():
    for name in ("ubuntu", "docker.io/library/node:15-alpine", "mcr.microsoft.com/windows/servercore:ltsc2022",
                 "mcr.microsoft.com/acr/connected-registry:1.0.0"):
        assert not standins.is_known(name)
        assert standins.no_standin_reason(name), name
    assert standins.no_standin_reason("nginx") is None  # not something the docs use
    assert "digest" in standins.no_standin_reason("mcr.microsoft.com/hello-world@sha256:" + "a" * 64)
    assert standins.no_standin_reason("nginx@sha256:" + "a" * 64) is None


def test_the_failure_message_names_the_image_and_the_reason():
    text = standins.unavailable_message("ubuntu", RuntimeError("dial tcp: lookup registry-1.docker.io: no such host"))
    assert text.startswith("Image 'ubuntu' is not present in the Docker Engine and could not be pulled: dial tcp")
    assert "azlocal has no offline stand-in for it: a base OS image cannot be faked honestly" in text
    text = standins.unavailable_message("example.com/app:v1", RuntimeError("x" * 1000))
    assert "xxx..." in text and len(text) < 600
    assert "not one of azlocal's offline stand-ins" in text


def test_the_data_file_is_complete_and_consistent():
    entries = standins.entries()
    seen = {}
    for entry in entries:
        assert entry.docs and all(d.startswith("https://") or re.match(r"[\w-]+/[\w-]+@[0-9a-f]{7,}:", d)
                                  for d in entry.docs), entry.names
        assert entry.does.strip(), entry.names
        assert (entry.standin is None) != (entry.none is None), entry.names
        for name in entry.names:
            key = standins._key(name) or name
            assert key not in seen, f"{name} is listed twice"
            seen[key] = entry
        if entry.standin:
            for name in entry.names:
                assert standins._key(name), f"a stand-in's name must be a reference: {name}"
            assert entry.standin.expect, f"{entry.names[0]}: nothing for the integration test to check"
            assert set(entry.standin.expect) <= {"http", "logs", "exit"}, entry.names
            for source in entry.standin.files.values():
                assert standins._asset(source), source
            http = entry.standin.expect.get("http")
            if http:
                assert http["port"] in entry.standin.expose, entry.names


def test_every_docs_image_of_the_command_lines_is_listed():
    if not TSV.exists():
        pytest.skip(f"{TSV} is not here")
    named = set()
    for line in TSV.read_text().splitlines():
        if line.startswith("#"):
            continue
        command = line.split("\t")[-1]
        named.update(m.group(0).rstrip(".,;") for m in MUST_LIST.finditer(command))
    # the reference notes quote the docs' YAML files and outputs too
    for notes in sorted((SHARED / "reference").glob("*.md")):
        named.update(m.group(0).rstrip(".,;`") for m in MUST_LIST.finditer(notes.read_text())
                     if not m.group(0).rstrip(".,;`").endswith("/"))
    assert "mcr.microsoft.com/azuredocs/aci-hellofiles" in named, "the tsv changed shape"
    written = {name for entry in standins.entries() for name in entry.names}
    missing = [n for n in sorted(named)
               if not standins.is_known(n) and not standins.no_standin_reason(n) and n not in written]
    assert not missing, f"images the docs use that standins.yaml does not list: {missing}"


def test_the_data_file_refuses_malformed_entries():
    good = {"names": ["a.io/x:v1"], "does": "d", "docs": ["https://x"], "none": "why"}
    assert standins.parse_entries({"images": [good]})[0].none == "why"
    for bad in ({**good, "docs": []}, {k: v for k, v in good.items() if k != "does"},
                {**good, "standin": {"files": {"a": "b"}, "cmd": ["sh"]}},
                {k: v for k, v in good.items() if k != "none"},
                {**{k: v for k, v in good.items() if k != "none"}, "standin": {"cmd": ["sh"]}}):
        with pytest.raises(ValueError):
            standins.parse_entries({"images": [bad]})


def test_a_stand_ins_dockerfile_builds_on_the_busybox_base():
    dockerfile = standins.standin_for("mcr.microsoft.com/azuredocs/aci-hellofiles").dockerfile().splitlines()
    assert dockerfile[0] == f"FROM {standins.BASE}"
    assert "COPY www/index.html /www/index.html" in dockerfile
    assert "EXPOSE 80" in dockerfile
    assert dockerfile[-1] == 'CMD ["/bin/sh", "/hellofiles.sh"]'


def test_the_data_file_is_packaged():
    import configparser

    from tests.conftest import ROOT

    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg")
    assert "platform/engine/standins.yaml" in config["options.package_data"]["azlocal"]


def test_images_list_shows_every_entry_of_the_data_file(cli):
    rows = cli("local", "images", "list").json()
    assert len(rows) == len(standins.entries())
    hellofiles = next(r for r in rows if "mcr.microsoft.com/azuredocs/aci-hellofiles:latest" in r["names"])
    assert hellofiles["standIn"] is True and hellofiles["reason"] is None and hellofiles["docs"]
    ubuntu = next(r for r in rows if "docker.io/library/ubuntu:latest" in r["names"])
    assert ubuntu["standIn"] is False and "base OS image" in ubuntu["reason"]
    table = cli("local", "images", "list", "-o", "table").out
    assert "StandIn" in table and "mcr.microsoft.com/oss/nginx/nginx:1.15.5-alpine" in table
