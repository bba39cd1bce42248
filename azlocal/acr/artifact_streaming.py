"""ACR artifact streaming (Premium): ACR converts an image to the overlaybd format and AKS nodes with the
overlaybd snapshotter start containers while the layers stream in.

Decision (issue 12, item 9): refused. The conversion is ACR's service and streaming needs AKS's overlaybd
snapshotter; azlocal runs images on the local Docker Engine, which always pulls them whole. Every command
checks what az checks first (the registry, and for create the image), then fails with the reason; nothing
is recorded, so there is no operation to show or cancel either.
"""

from azlocal.acr import registries
from azlocal.core.errors import AzLocalError

UNAVAILABLE = ("(ArtifactStreamingNotAvailable) Artifact streaming is not available offline: ACR's service "
               "converts images to the overlaybd format and AKS nodes stream them through the overlaybd "
               "snapshotter, and azlocal has neither (the local Docker Engine pulls images whole). "
               "Images in this registry are pulled as usual.")


def _registry(registry):
    doc = registries.get(registry)
    if doc["sku"]["name"] != "Premium":
        raise AzLocalError("(FeatureNotSupportedForSku) Artifact streaming is only supported for managed "
                           "registries in Premium SKU.")
    return doc


def create(registry, image):
    from azlocal.acr import repositories

    doc = _registry(registry)
    try:
        repositories.show(doc["name"], image=image)
    except AzLocalError as ex:
        raise AzLocalError(f"Could not find image '{image}'. {ex}") from ex
    raise AzLocalError(UNAVAILABLE)


def refuse(registry):
    """show, update, operation show and operation cancel."""
    _registry(registry)
    raise AzLocalError(UNAVAILABLE)
