"""The managed-identity token endpoints the daemon serves to containers: App Service style
(`IDENTITY_ENDPOINT` + `IDENTITY_HEADER`, in container app replicas and job executions) and IMDS
(`http://169.254.169.254/metadata/identity/oauth2/token`, in container groups)."""

from aiohttp import web

MSI_PATH = "/msi/token"
IMDS_PATH = "/metadata/identity/oauth2/token"


def is_token_request(request):
    return request.path in (MSI_PATH, IMDS_PATH)


async def handle(request):
    return web.json_response({"error": "not_implemented", "error_description": "No token endpoint yet."}, status=501)
