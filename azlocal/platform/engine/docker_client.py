"""The Docker Engine, reached through the docker SDK. Imported only by commands that need it."""

from azlocal.core.errors import AzLocalError

_client = None


def client():
    global _client
    if _client is None:
        import docker

        try:
            _client = docker.from_env(timeout=300)
            _client.ping()
        except Exception as ex:
            _client = None
            raise AzLocalError(
                f"The Docker Engine is not reachable ({ex}). Start it (for example `dockerd &`) and try again."
            ) from ex
    return _client


def reachable():
    try:
        client()
        return True
    except AzLocalError:
        return False
