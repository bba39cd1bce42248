"""Which image names have offline stand-ins (no Docker)."""

from azlocal.platform.engine import standins


def test_names_normalise_with_and_without_latest():
    assert standins.normalise("mcr.microsoft.com/hello-world") == "mcr.microsoft.com/hello-world:latest"
    assert standins.normalise("mcr.microsoft.com/hello-world:latest") == "mcr.microsoft.com/hello-world:latest"
    assert standins.normalise("localhost:5000/x") == "localhost:5000/x:latest"
    assert standins.normalise("x@sha256:abc") == "x@sha256:abc"


def test_known_images():
    for name in ("mcr.microsoft.com/hello-world", "mcr.microsoft.com/azuredocs/aci-helloworld:latest",
                 "mcr.microsoft.com/azuredocs/aci-wordcount", "mcr.microsoft.com/azuredocs/aci-tutorial-sidecar",
                 "mcr.microsoft.com/azuredocs/containerapps-helloworld:latest", "mcr.microsoft.com/k8se/quickstart"):
        assert standins.is_known(name), name
    assert not standins.is_known("hello-world")
    assert not standins.is_known("docker.io/library/hello-world")
    assert not standins.is_known("mcr.microsoft.com/hello-world:v2")


def test_every_stand_in_has_its_assets_packaged():
    for assets, _ in standins.KNOWN.values():
        for source in assets.values():
            assert standins._asset(source)
