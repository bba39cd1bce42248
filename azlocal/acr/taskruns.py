"""`az acr taskrun …` and run queries beyond a task's own: `az acr task update-run`, `list-runs --image`.

A taskRun (`registries/taskRuns`) is an ARM resource that runs a task when it is deployed (a template
creates it); `az acr task run` and the timers here schedule runs (`registries/runs`) instead, as Azure's
do, and azlocal deploys no templates, so a registry has no taskRuns: `list` is empty and `show`, `logs`
and `delete` give ARM's not-found.
"""

from knack.log import get_logger

from azlocal.acr import registries
from azlocal.core.lookups import not_found
from azlocal.platform.store import store

logger = get_logger(__name__)
TASKRUN_TYPE = "Microsoft.ContainerRegistry/registries/taskRuns"


def list_taskruns(registry, resource_group=None):
    doc = registries.get(registry, resource_group)
    return store().list(type=TASKRUN_TYPE, parent_id=doc["id"])


def get(registry, name, resource_group=None):
    doc = registries.get(registry, resource_group)
    return store().require(f"{doc['id']}/taskRuns/{name}", not_found(f"{TASKRUN_TYPE}/{doc['name']}", name,
                                                                    registries.group_of_doc(doc), pointer=False))


def delete(registry, name, resource_group=None):
    taskrun = get(registry, name, resource_group)
    s = store()
    with s.transaction():
        s.delete(taskrun["id"])


def update_run(registry, run_id, no_archive=None, resource_group=None):
    """ARM's PATCH of a run: `isArchiveEnabled` (its log is kept on this machine either way)."""
    from azlocal.acr import tasks

    run = tasks.show_run(registry, run_id, resource_group)
    if no_archive is not None:
        run["isArchiveEnabled"] = not no_archive
        if no_archive:
            logger.warning("The run's log stays on this machine whether it is archived or not.")
    s = store()
    with s.transaction():
        s.put(run)
    return run


def with_image(registry, found, image):
    """The runs that produced `image` (`repo:tag` or `repo@digest`, resolved to its digest in the registry)."""
    from azlocal.acr import repositories
    from azlocal.acr.acr_data import parse_image
    from azlocal.core.errors import AzLocalError

    repository, tag, digest = parse_image(image)
    if not digest:
        try:
            digest = repositories.show(registry, image=f"{repository}:{tag}")["digest"]
        except AzLocalError as ex:
            raise AzLocalError(f"Could not find image '{image}'. {ex}") from ex
    return [r for r in found if any(o.get("repository") == repository and o.get("digest") == digest
                                    for o in r.get("outputImages") or [])]
