"""The managed-identity token endpoints the daemon serves to containers: App Service style
(`IDENTITY_ENDPOINT` + `IDENTITY_HEADER`, in container app replicas and job executions) and IMDS
(`http://169.254.169.254/metadata/identity/oauth2/token`, in container groups).

Both answer with the JSON `tokens.issue` builds for the identity a request means (`principals.select` over
the resource's stored identity block, read per request), and refuse as the real endpoints do: App Service
with `{"statusCode", "message"}` (401 for a missing or wrong header, 400 for the rest), IMDS with
`{"error", "error_description"}` (400: no `Metadata: true` header, no identity). Who asks is the header's
resource (endpoints.resource_of) or the caller's address (imds.resource_at). Nothing here logs a token.
"""

import asyncio
import ipaddress
import re

from aiohttp import web

from azlocal.identity import endpoints, imds, principals, tokens
from azlocal.platform.store import store

MSI_PATH = endpoints.MSI_PATH
IMDS_PATH = "/metadata/identity/oauth2/token"
IMDS_VERSION = re.compile(r"^20\d\d-\d\d-\d\d$")
NO_IDENTITY = "Unable to load the proper Managed Identity."


def is_token_request(request):
    """A token path asked of an address (the bridge gateway, IMDS's, loopback), never of a name: an app's own
    `/msi/token` behind its FQDN stays the app's."""
    if request.path not in (MSI_PATH, IMDS_PATH):
        return False
    host = (request.host or "").lower()
    host = host[1:].partition("]")[0] if host.startswith("[") else host.rpartition(":")[0] or host
    if host == "localhost":
        return True
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        return False


async def handle(request):
    if request.method not in ("GET", "HEAD"):
        return web.json_response({"error": "invalid_request", "error_description": "Only GET is allowed."},
                                 status=405, headers={"Allow": "GET"})
    query = {k: v for k, v in request.query.items()}
    loop = asyncio.get_running_loop()
    if request.path == MSI_PATH:
        status, body = await loop.run_in_executor(None, app_service, query, request.headers.get("X-IDENTITY-HEADER"))
    else:
        if "X-Forwarded-For" in request.headers:  # IMDS refuses what a proxy relays
            return web.json_response({"error": "invalid_request", "error_description": "X-Forwarded-For header is "
                                      "not supported"}, status=400)
        status, body = await loop.run_in_executor(None, instance_metadata, query, request.headers.get("Metadata"),
                                                  request.remote)
    return web.json_response(body, status=status)


def _issue(block, resource, client_id=None, object_id=None, mi_res_id=None):
    """(principal selected, token answer) or raises LookupError naming why no identity matches."""
    principal, client, identity_id = principals.select(block, client_id=client_id, object_id=object_id,
                                                       mi_res_id=mi_res_id, require_existing=True)
    if not principal:
        raise LookupError("The identity has no principal yet.")
    return tokens.issue(principal, client, resource, identity_id=identity_id)


# App Service (container apps and jobs) ---------------------------------------------------------------

def _app_error(status, message):
    return status, {"statusCode": status, "message": message}


def app_service(query, header):
    """(status, JSON) of `GET /msi/token?resource=…&api-version=2019-08-01` with `X-IDENTITY-HEADER: header`."""
    rid = endpoints.resource_of(header)
    if rid is None:
        return _app_error(401, "Unauthorized. The X-IDENTITY-HEADER header is missing or is not this endpoint's "
                          "(use the value of IDENTITY_HEADER).")
    version = query.get("api-version")
    if version != endpoints.API_VERSION:
        return _app_error(400, f"The api-version '{version}' is not supported; use {endpoints.API_VERSION}."
                          if version else "The api-version query parameter is required "
                          f"(api-version={endpoints.API_VERSION}).")
    resource = (query.get("resource") or "").strip()
    if not resource:
        return _app_error(400, "The resource query parameter is required (e.g. resource=https://vault.azure.net).")
    selectors = {"client_id": query.get("client_id"),
                 "object_id": query.get("principal_id") or query.get("object_id"),
                 "mi_res_id": query.get("mi_res_id")}
    if sum(1 for v in selectors.values() if v) > 1:
        return _app_error(400, "Only one of client_id, principal_id (object_id) and mi_res_id may be given.")
    doc = store().get(rid)
    if doc is None:
        return _app_error(400, f"{NO_IDENTITY} The resource '{rid}' this endpoint served no longer exists.")
    if not endpoints.has_identity(doc):
        return _app_error(400, f"{NO_IDENTITY} '{doc.get('name')}' has no managed identity assigned.")
    try:
        return 200, _issue(doc["identity"], resource, **selectors)
    except LookupError as ex:
        return _app_error(400, f"{NO_IDENTITY} {ex} ('{doc.get('name')}')")
    except tokens.TokenError as ex:
        return _app_error(400, str(ex))


# IMDS (container groups) -------------------------------------------------------------------------

def _imds_error(description, error="invalid_request", status=400):
    return status, {"error": error, "error_description": description}


def instance_metadata(query, metadata, remote):
    """(status, JSON) of IMDS's `GET /metadata/identity/oauth2/token` from the container at `remote`."""
    if (metadata or "").strip().lower() != "true":
        return _imds_error("Required metadata header not specified")
    version = query.get("api-version")
    if not version:
        return _imds_error("Required query variable 'api-version' is missing")
    if not IMDS_VERSION.match(version):
        return _imds_error(f"Invalid api-version '{version}'")
    resource = (query.get("resource") or "").strip()
    if not resource:
        return _imds_error("Required query variable 'resource' is missing")
    rid = imds.resource_at(remote)
    doc = store().get(rid) if rid else None
    if doc is None or not endpoints.has_identity(doc):
        return _imds_error("Identity not found")
    try:
        return 200, _issue(doc["identity"], resource, client_id=query.get("client_id"),
                           object_id=query.get("object_id") or query.get("principal_id"),
                           mi_res_id=query.get("msi_res_id") or query.get("mi_res_id"))
    except LookupError:
        return _imds_error("Identity not found")
    except tokens.TokenError as ex:
        return _imds_error(str(ex))
