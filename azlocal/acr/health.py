"""az acr check-health: az 2.91's checks of the environment and of one registry, run for real.

Environment: the Docker command (`docker`, else `podman`, or $DOCKER_COMMAND) and its daemon (`docker ps`),
its version, a pull of az's sample image, the CLI version, the azlocal daemon (azlocal's own line: the
registry is served by it), and Helm. Registry: DNS of the login server (the hosts entries azlocal
writes), the challenge endpoint over HTTPS (the daemon, verified with the local CA), a refresh token
from /oauth2/exchange and an access token from /oauth2/token, with the repository permissions when
`--repository` is given. Each check prints az's line (`<check> : OK`) as a warning; a failure is az's
timestamped `An error occurred: <TITLE>` text: the command's error, or with --ignore-errors an error line
and the checks go on.

Offline, `docker pull mcr.microsoft.com/mcr/hello-world` cannot reach MCR: when the pull fails for lack
of a network, the check says so and uses azlocal's stand-in of the hello-world image instead (built
locally when the engine lacks it). `--vnet` checks the DNS of private endpoints, and no registry here
has one, so it fails with az's text for that case.
"""

import datetime
import json
import os
import shutil
import socket
import subprocess

from knack.log import get_logger

from azlocal.core.errors import AzLocalError

logger = get_logger(__name__)

IMAGE = "mcr.microsoft.com/mcr/hello-world:latest"
STANDIN = "mcr.microsoft.com/hello-world:latest"
FAQ_MESSAGE = "\nPlease refer to https://aka.ms/acr/health-check for more information."
DEEP_LINK = "\nPlease refer to https://aka.ms/acr/errors#{} for more information."
REPOSITORY_ACTIONS = "pull,push,metadata_write,metadata_read,delete"
MIN_HELM_VERSION = (2, 11, 0)
ERRORS = {
    "DOCKER_COMMAND_ERROR": "Please verify if Docker client is installed and running.",
    "DOCKER_DAEMON_ERROR": "Please verify if Docker daemon is running, or try restarting it.",
    "DOCKER_VERSION_ERROR": "An error occurred while retrieving Docker version. Please try verifying it manually.",
    "DOCKER_PULL_ERROR": "An error occurred while pulling a sample image. Please validate your network connection and "
                         "verify if Docker daemon is running properly.",
    "HELM_COMMAND_ERROR": "Please verify if Helm is installed.",
    "HELM_VERSION_ERROR": "An error occurred while retrieving Helm version. Please make sure that you have the latest "
                          "Azure CLI version, and that you are using the recommended Helm version.",
    "CONNECTIVITY_DNS_ERROR": "Failed to reach DNS for registry '{}'. Please check if the spelling is correct, if the "
                              "CLI environment is on correct cloud and your network connectivity.",
    "CONNECTIVITY_FORBIDDEN_ERROR": "Looks like you don't have access to registry '{}'. To see configured firewall "
                                    "rules, run 'az acr show --query networkRuleSet --name {}'. Details: "
                                    "https://learn.microsoft.com/azure/container-registry/container-registry-health-"
                                    "error-reference#connectivity_forbidden_error",
    "CONNECTIVITY_CHALLENGE_ERROR": "Registry '{}' did not issue a challenge.",
    "CONNECTIVITY_AAD_LOGIN_ERROR": "Registry '{}' does not support AAD login.",
    "CONNECTIVITY_REFRESH_TOKEN_ERROR": "Access to registry '{}' was denied. Response code: {}. Please try running "
                                        "'az login' again to refresh permissions.",
    "CONNECTIVITY_ACCESS_TOKEN_ERROR": "Access to registry '{}' was denied. Response code: {}. Please try running "
                                       "'az login' again to refresh permissions.",
    "CONNECTIVITY_ACCESS_TOKEN_PERMISSIONS": "You have {} permissions to the repository. You are lacking {} "
                                             "repository permissions. Please verify if you have full read, write, and "
                                             "delete permissions to the repository in the registry.",
    "CONNECTIVITY_SSL_ERROR": "Unable to establish a secure connection to the registry '{}'. Are you using a proxy "
                              "server?",
    "AZLOCAL_DAEMON_ERROR": "The azlocal daemon, which serves the registries of this machine, is not available: {}",
}
_TITLES = {"CONNECTIVITY_ACCESS_TOKEN_PERMISSIONS": "CONNECTIVITY_ACCESS_TOKEN_ERROR"}


def _stamp(message):
    return f"{datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)} {message}"


class _Failed(Exception):
    """A failed check whose error was logged (--ignore-errors): the checks that depend on it are skipped."""


class Checks:
    def __init__(self, ignore_errors):
        self.ignore_errors = ignore_errors

    @staticmethod
    def ok(message):
        logger.warning("%s : OK", message)

    def fail(self, key, *args, extra=None, message=None):
        title = _TITLES.get(key, key)
        message = (message or ERRORS[key].format(*args)) + (f"\n{extra}" if extra else "")
        if self.ignore_errors:
            logger.error(_stamp(f"An error occurred: {title}\n{message}"))
            raise _Failed(title)
        raise AzLocalError(_stamp(f"An error occurred: {title}\n{message}\n{DEEP_LINK.format(title.lower())}"))

    def run(self, step, *args):
        try:
            step(self, *args)
            return True
        except _Failed:
            return False


def _communicate(parts, timeout=300):
    """(stdout, warning, error, succeeded) as az reads a command: stderr starting 'warning' is a warning."""
    try:
        proc = subprocess.run(parts, capture_output=True, text=True, timeout=timeout)
    except (OSError, subprocess.TimeoutExpired) as ex:
        return "", None, f"Failed to run command '{' '.join(parts)}'. {ex}", False
    out, err = proc.stdout.rstrip(), proc.stderr.rstrip()
    warning = err if err.lower().startswith("warning") else None
    if proc.returncode == 0:
        return out, warning, None, True
    return out, warning, (f"Failed to run command '{' '.join(parts)}'. {err}" if err and not warning else None), False


def docker_command():
    command = os.environ.get("DOCKER_COMMAND")
    if command:
        return command
    return "podman" if not shutil.which("docker") and shutil.which("podman") else "docker"


# Environment ---------------------------------------------------------------------------------------

def _docker(checks, yes, confirm):
    command = docker_command()
    try:
        proc = subprocess.run([command, "ps"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        checks.fail("DOCKER_COMMAND_ERROR")
    if proc.stderr.strip():
        checks.fail("DOCKER_COMMAND_ERROR", message=proc.stderr.strip())  # az: docker's stderr is the message
    logger.warning("%s daemon status: available", command.title())
    out, warning, error, succeeded = _communicate([command, "version", "--format", "json"])
    if not succeeded:
        checks.run(lambda c: c.fail("DOCKER_VERSION_ERROR", extra=error))
    else:
        if warning:
            logger.warning(warning)
        try:
            client = json.loads(out).get("Client") or {}
        except ValueError:
            client = {}
        logger.warning("%s version: %s, build %s, platform %s/%s", command.title(), client.get("Version", "unknown"),
                       client.get("GitCommit", "unknown")[:7], client.get("Os", "unknown"),
                       client.get("Arch", "unknown"))
    if not yes and not confirm(f"This will pull the image {IMAGE}. Proceed?"):
        logger.warning("Skipping pull check.")
        return
    _pull(checks, command)


def _pull(checks, command):
    out, warning, error, succeeded = _communicate([command, "pull", IMAGE])
    if succeeded:
        if warning:
            logger.warning(warning)
        checks.ok(f"{command.title()} pull of '{IMAGE}'")
        return
    if error and "cannot be used on this platform" in error:
        checks.ok(f"{command.title()} pull of '{IMAGE}'")
        logger.warning("Image '%s' can be pulled but cannot be used on this platform", IMAGE)
        return
    from azlocal.platform.engine.lookup import is_lookup_error

    if not (error and (is_lookup_error(error) or "dial tcp" in error or "connection refused" in error)):
        checks.fail("DOCKER_PULL_ERROR", extra=error)
    try:
        from azlocal.platform.engine import docker_client, standins

        standins.ensure_image(docker_client.client(), STANDIN, warn=lambda _m: None)
    except AzLocalError as ex:
        checks.fail("DOCKER_PULL_ERROR", extra=f"{error}\n{ex}")
    logger.warning("'%s' cannot be pulled offline; checked azlocal's local stand-in '%s' instead.", IMAGE, STANDIN)
    logger.debug("docker pull failed: %s", error)
    checks.ok(f"{command.title()} pull of '{STANDIN}'")


def _daemon(checks):
    from azlocal.platform import lifecycle

    try:
        info = lifecycle.running() or lifecycle.ensure_running()
    except AzLocalError as ex:
        checks.fail("AZLOCAL_DAEMON_ERROR", str(ex))
    logger.warning("azlocal daemon status: available (pid %s, http port %s, https port %s)", info.get("pid"),
                   info.get("port"), info.get("https_port"))
    return info


def _helm(checks):
    if not (shutil.which("helm") or shutil.which("helm.exe")):
        checks.fail("HELM_COMMAND_ERROR")
    command = shutil.which("helm") or shutil.which("helm.exe")
    out, warning, error, succeeded = _communicate([command, "version", "--client"])
    if not succeeded:
        checks.fail("HELM_VERSION_ERROR", extra=error)
    if warning:
        logger.warning(warning)
    import re

    match = re.search(r'(SemVer|Version):"v([.\d]+)"', out)
    version = match.group(2) if match else out
    logger.warning("Helm version: %s", version)
    if match and tuple(int(p) for p in version.split(".")[:3] if p.isdigit()) < MIN_HELM_VERSION:
        checks.fail("HELM_VERSION_ERROR", message="Current Helm client version is not recommended. Please upgrade "
                    "your Helm client to at least version 2.11.0.")


# The registry --------------------------------------------------------------------------------------

class _Endpoint:
    """How this machine reaches a login server: HTTPS through the hosts entry, verified with azlocal's CA."""

    def __init__(self, login_server, info):
        from azlocal.platform import tls

        port = (info or {}).get("https_port")
        self.login_server = login_server
        self.base = f"https://{login_server}" + ("" if port in (443, None) else f":{port}")
        self.verify = str(tls.ca_cert_path()) if tls.ca_cert_path().exists() else True

    def request(self, method, path, **kwargs):
        import requests

        return requests.request(method, self.base + path, verify=self.verify, timeout=30, **kwargs)


def _registry(checks, registry_name, repository, info):
    from azlocal.acr import registries

    doc = None
    try:
        doc = registries.find(registries.normalise_name(registry_name))
    except AzLocalError:
        pass
    login_server = doc["loginServer"] if doc else f"{registry_name}.azurecr.io".lower()
    try:
        address = socket.gethostbyname(login_server)
    except (socket.gaierror, UnicodeError):
        checks.fail("CONNECTIVITY_DNS_ERROR", login_server)
    checks.ok(f"DNS lookup to {login_server} at IP {address}")
    endpoint = _Endpoint(login_server, info)
    import requests

    try:
        challenge = endpoint.request("GET", "/v2/")
    except requests.exceptions.SSLError:
        checks.fail("CONNECTIVITY_SSL_ERROR", login_server)
    except requests.exceptions.RequestException:
        checks.fail("CONNECTIVITY_CHALLENGE_ERROR", login_server)
    if challenge.status_code == 403:
        checks.fail("CONNECTIVITY_FORBIDDEN_ERROR", login_server, registry_name)
    _tokens(checks, endpoint, challenge, repository, doc)


def _tokens(checks, endpoint, challenge, repository, doc):
    from azlocal.acr import registries

    login_server = endpoint.login_server
    header = challenge.headers.get("WWW-Authenticate", "")
    if challenge.status_code != 401 or not header:
        checks.fail("CONNECTIVITY_CHALLENGE_ERROR", login_server)
    if not header.lower().startswith("bearer ") or "realm=" not in header or "service=" not in header:
        checks.fail("CONNECTIVITY_AAD_LOGIN_ERROR", login_server)
    checks.ok(f"Challenge endpoint {endpoint.base}/v2/")
    response = endpoint.request("POST", "/oauth2/exchange", data={
        "grant_type": "access_token", "service": login_server, "access_token": registries.arm_token()})
    if response.status_code != 200:
        checks.fail("CONNECTIVITY_REFRESH_TOKEN_ERROR", login_server, response.status_code)
    checks.ok(f"Fetch refresh token for registry '{login_server}'")
    scope = f"repository:{repository}:{REPOSITORY_ACTIONS}" if repository else "registry:catalog:*"
    response = endpoint.request("POST", "/oauth2/token", data={
        "grant_type": "refresh_token", "service": login_server, "scope": scope,
        "refresh_token": response.json().get("refresh_token")})
    if response.status_code != 200:
        checks.fail("CONNECTIVITY_ACCESS_TOKEN_ERROR", login_server, response.status_code)
    abac = bool(doc) and doc.get("roleAssignmentMode") == "AbacRepositoryPermissions"
    if repository:
        _permissions(checks, response.json().get("access_token"))
        checks.ok(f"Fetch access token for repository '{repository}' in registry '{login_server}'")
        return
    checks.ok(f"Fetch access token for registry '{login_server}'")
    if abac:
        logger.warning("Note: Please run the command with the '--repository' flag to check your read and write "
                       "access to a specific repository.")


def _as_words(actions):
    return ", ".join(actions[:-1]) + " and " + actions[-1] if len(actions) > 1 else "".join(actions)


def _permissions(checks, token):
    import base64

    required = REPOSITORY_ACTIONS.split(",")
    try:
        body = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        access = claims.get("access") or []
        actions = (access[0] if access else {}).get("actions") or []
    except (AttributeError, IndexError, ValueError):
        raise AzLocalError("Failed to decode access token: not a JWT") from None
    if not actions:
        checks.fail("CONNECTIVITY_ACCESS_TOKEN_PERMISSIONS", "no", _as_words(required))
    missing = [a for a in required if a not in actions]
    if missing:
        checks.fail("CONNECTIVITY_ACCESS_TOKEN_PERMISSIONS", _as_words(actions), _as_words(missing))


def _private_endpoints(registry_name):
    from azlocal.acr import registries

    if registry_name is None:
        raise AzLocalError("Registry name must be provided to verify DNS routings of its private endpoints")
    doc = registries.get(registry_name)
    if not doc.get("privateEndpointConnections"):
        raise AzLocalError(f'Registry "{registry_name}" doesn\'t have private endpoints to verify DNS routings.')


def check_health(registry_name=None, repository=None, ignore_errors=False, yes=False, vnet=None, confirm=None):
    """Runs the checks in az's order; returns nothing (az prints no result)."""
    checks = Checks(ignore_errors)
    checks.run(_docker, yes, confirm or (lambda _question: False))
    logger.warning("Azure CLI version: %s", "2.91.0")
    info = {}
    checks.run(lambda c: info.update(_daemon(c)))
    if registry_name is None:
        logger.warning("Registry name must be provided to check connectivity.")
    else:
        checks.run(_registry, registry_name, repository, info)
    if vnet:
        _private_endpoints(registry_name)
    checks.run(_helm)
    logger.warning(FAQ_MESSAGE)
