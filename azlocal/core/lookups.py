"""The errors of a lookup that finds nothing, worded as ARM words them (exit 3)."""

from azlocal.core.errors import ResourceNotFound

ARM_POINTER = "For more details please go to https://aka.ms/ARMResourceNotFoundFix"


def not_found(resource_type, name, resource_group, *, pointer=True):
    """`The Resource '<type>/<name>' under resource group '<rg>' was not found.` with ARM's pointer."""
    text = f"The Resource '{resource_type}/{name}' under resource group '{resource_group}' was not found."
    return ResourceNotFound(f"{text} {ARM_POINTER}" if pointer else text)
