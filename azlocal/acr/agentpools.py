"""`az acr agentpool …`: dedicated agent pools cannot exist offline.

An agent pool is a set of Azure virtual machines (tier S1-S3, I6, optionally in a virtual network) that
runs a registry's tasks; here every run executes on the local Docker Engine, so `create` and `update`
are refused, saying so, rather than recorded: a recorded pool would let `--agent-pool <pool>` look
usable. A registry has no agent pools: `list` is empty, `show` and `delete` give ARM's not-found.
"""

from azlocal.acr import registries
from azlocal.core.errors import AzLocalError
from azlocal.core.lookups import not_found

AGENTPOOL_TYPE = "Microsoft.ContainerRegistry/registries/agentPools"


def refuse(name, action):
    raise AzLocalError(f"Agent pools are not available offline: an agent pool is a set of dedicated Azure virtual "
                       f"machines, and azlocal runs every task on the local Docker Engine, so the agent pool "
                       f"'{name}' cannot be {action}. Run tasks without --agent-pool.")


def create(registry, name, resource_group=None):
    registries.get(registry, resource_group)
    refuse(name, "created")


def update(registry, name, resource_group=None):
    get(registry, name, resource_group)


def list_pools(registry, resource_group=None):
    registries.get(registry, resource_group)
    return []


def get(registry, name, resource_group=None):
    doc = registries.get(registry, resource_group)
    raise not_found(f"{AGENTPOOL_TYPE}/{doc['name']}", name, registries.group_of_doc(doc), pointer=False)
