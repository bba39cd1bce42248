"""The registry: ACR's data plane (OCI Distribution Spec v1.1 plus ACR's /acr/v1 and OAuth2 endpoints).

HTTP handlers (routes: the URL map; v2, acr_routes, oauth: the handlers) -> storage (storage: blobs,
links and per-registry metadata, and the file layout; uploads: upload sessions with an explicit
commit; repository: manifests and tags) -> the filesystem under each registry's root. Handlers
raise RegistryError; one middleware (errors) answers. One application serves many registries;
the request's Host picks one through a resolver.
"""

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional


@dataclass
class RegistryView:
    name: str
    login_server: str
    root: Path
    token_key: bytes
    admin_enabled: bool = False
    anonymous_pull: bool = False
    quota_bytes: Optional[int] = None
    check_password: Optional[Callable[[str, str], bool]] = None
    check_aad_token: Optional[Callable[[str], bool]] = None
    on_event: Optional[Callable[..., None]] = None
    auth_required: bool = True
    # check_client(address): raises RegistryError when the registry's network rules refuse a client
    # address (dataplane/network.py); None lets every client in.
    check_client: Optional[Callable[[str], None]] = None
    # pull_through(storage, repository, reference): True when a cache rule fetched the missing image into
    # storage, so the lookup can be retried (dataplane/cache.py: it reads the registry's rules on each miss).
    pull_through: Optional[Callable[..., bool]] = None
    # Deletes go to the trash (dataplane/trash.py) while the registry's soft delete policy is enabled.
    soft_delete: bool = False
    # The registry's ARM id: the scope at which an AAD principal's role assignments are read (dataplane/aad.py).
    resource_id: str = ""
    # Azure AD tokens for the ARM audience are taken (the registry's authentication-as-arm policy, on by default);
    # tokens for the registry's own audience always are.
    arm_tokens: bool = True
    # The registry's role assignment mode is "RBAC registry + ABAC repository permissions" (dataplane/aad.py).
    abac: bool = False


def build_app(resolver):
    from azlocal.acr.dataplane.routes import build_app as build

    return build(resolver)
