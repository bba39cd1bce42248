"""azlocal's own status and reset."""

import shutil

from azlocal.core import settings
from azlocal.platform.store import store


def status():
    from azlocal.platform.engine import docker_client

    s = store()
    resources = s.list()
    docker = {"reachable": docker_client.reachable()}
    if docker["reachable"]:
        from azlocal.platform.engine import labels, objects

        docker["serverVersion"] = objects.engine_version()
        docker["labelledObjects"] = labels.count_labelled()
    from azlocal.platform import lifecycle

    return {
        "daemon": lifecycle.running() or {"running": False, "port": settings.http_port()},
        "docker": docker,
        "home": str(settings.home()),
        "resources": len(resources),
        "resourceGroups": sum(1 for r in resources if r["type"] == "microsoft.resources/resourcegroups"
                              or r["type"] == "Microsoft.Resources/resourceGroups"),
        "stateStore": settings.db_path().name,
    }


def reset():
    """Removes every labelled Docker object of this home, then all files of the home but its config."""
    from azlocal.platform import hosts, lifecycle, tls
    from azlocal.platform.engine import docker_client, labels

    lifecycle.stop()
    hosts.remove_all()
    tls.untrust()
    removed = labels.remove_labelled() if docker_client.reachable() else 0
    store().close()
    import azlocal.platform.store as store_module

    store_module._store = None
    from azlocal.platform import memfs

    memfs.remove()  # secret files kept in memory
    home = settings.home()
    for entry in home.iterdir():
        if entry.name == "config":
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()
    return {"dockerObjectsRemoved": removed, "home": str(home)}
