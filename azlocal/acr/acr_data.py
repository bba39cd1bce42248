"""The registry's data plane as az uses it: the OAuth2 token flow, then /v2 and /acr/v1 calls.

Like the real CLI, `az acr repository …` and `az acr login` talk HTTP to the registry (here the
azlocal daemon, reached on loopback with the registry's Host), so what they see is exactly
what `docker` sees.
"""

from urllib.parse import parse_qs, urlparse

from azlocal.acr import registries
from azlocal.core.errors import AzLocalError

NULL_USER = "00000000-0000-0000-0000-000000000000"


class RegistryClient:
    def __init__(self, doc, username=None, password=None):
        import requests

        from azlocal.platform import lifecycle

        self.doc = doc
        self.login_server = doc["loginServer"]
        self.base = lifecycle.url(lifecycle.ensure_running()["port"])
        self.session = requests.Session()
        self.session.headers["Host"] = self.login_server
        self.username, self.password = username, password

    # Tokens -----------------------------------------------------------------------------

    def check_reachable(self):
        """As az does before asking for tokens: GET /v2/; a 403 means the registry's firewall refused us."""
        if getattr(self, "_reachable", False):
            return
        if self.session.get(f"{self.base}/v2/").status_code == 403:
            raise AzLocalError(
                f"Looks like you don't have access to registry '{self.login_server}'. To see configured firewall "
                f"rules, run 'az acr show --query networkRuleSet --name {self.doc['name']}'. To see if public network "
                "access is enabled, run 'az acr show --query publicNetworkAccess'.Please refer to "
                "https://aka.ms/acr/errors#connectivity_forbidden_error for more information.")
        self._reachable = True

    def refresh_token(self):
        """Swaps the (local) Azure AD token for an ACR refresh token, as /oauth2/exchange does."""
        self.check_reachable()
        response = self.session.post(f"{self.base}/oauth2/exchange", data={
            "grant_type": "access_token", "service": self.login_server,
            "access_token": registries.arm_token(),
        })
        if response.status_code != 200:
            raise AzLocalError(f"Access to registry '{self.login_server}' was denied. Response code: "
                               f"{response.status_code}. Please try running 'az login' again to refresh permissions.")
        return response.json()["refresh_token"]

    def access_token(self, scope):
        self.check_reachable()
        if self.username and self.password:
            data = {"grant_type": "password", "service": self.login_server, "scope": scope,
                    "username": self.username, "password": self.password}
        else:
            data = {"grant_type": "refresh_token", "service": self.login_server, "scope": scope,
                    "refresh_token": self.refresh_token()}
        response = self.session.post(f"{self.base}/oauth2/token", data=data)
        if response.status_code != 200:
            raise AzLocalError(_error_text(response, "Authentication required."))
        return response.json()["access_token"]

    # Calls ------------------------------------------------------------------------------

    def call(self, method, path, scope, params=None, json=None, ok=(200, 201, 202, 204)):
        token = self.access_token(scope)
        response = self.session.request(method, f"{self.base}{path}", params=params, json=json,
                                        headers={"Authorization": f"Bearer {token}"})
        if response.status_code not in ok:
            raise AzLocalError(_error_text(response))
        return response

    def paged(self, path, scope, key, params=None, top=None):
        """Follows `Link: <…>; rel="next"` as az does, n=100 a page, up to `top` items."""
        params = dict(params or {})
        params["n"] = min(100, top) if top else 100
        items = []
        token = self.access_token(scope)
        while True:
            response = self.session.get(f"{self.base}{path}", params=params,
                                        headers={"Authorization": f"Bearer {token}"})
            if response.status_code != 200:
                raise AzLocalError(_error_text(response))
            items += response.json().get(key) or []
            if top and len(items) >= top:
                return items[:top]
            link = response.headers.get("link")
            if not link:
                return items
            query = parse_qs(urlparse(link.split(";")[0].strip("<> ")).query)
            params = {k: v[0] for k, v in query.items()}


def _error_text(response, fallback=None):
    fallbacks = {401: "Authentication required.", 404: "The requested data does not exist.",
                 405: "This operation is not supported.", 409: "Failed to request data due to a conflict."}
    try:
        error = response.json()["errors"][0]
        text = f"Error: {error.get('message')}"
        if isinstance(error.get("detail"), str):  # as az: a structured detail is not shown
            text += f" Detail: {error['detail']}"
        return text if text.endswith(".") else text + "."
    except (ValueError, KeyError, IndexError, TypeError):
        return fallback or fallbacks.get(response.status_code, f"Request failed with status {response.status_code}.")


def parse_image(image):
    """`repo:tag`, `repo@digest` or `repo` (→ latest), as az's parse_image_name."""
    if "@" in image:
        repo, _, digest = image.partition("@")
        return repo, None, digest
    if ":" in image.rsplit("/", 1)[-1]:
        repo, _, tag = image.rpartition(":")
        return repo, tag, None
    if not image:
        raise AzLocalError("The name of the image may include a tag in the format 'name:tag' or digest in the "
                           "format 'name@digest'.")
    return image, "latest", None
