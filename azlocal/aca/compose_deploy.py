"""`az containerapp compose create`: the plans of a compose file (azlocal.aca.compose) become container
apps in one environment, as az 2.91 makes them: the environment is created when missing (with -l or the
group's location, and --tags), each service becomes an app named after it, in the order `depends_on`
gives; `build:` services are built by the environment's registry (the `containerapp up --source`
machinery, or --registry-server's ACR). The apps reach each other by service name on the environment's
network (each app's name is its alias there).

All-or-nothing: every service is planned and checked before anything is created; when a later step fails
(a build, an image pull), the apps this command created, and the environment if it created it, are removed.
"""

from knack.log import get_logger

from azlocal.aca import compose, containerapp_up, containerapps, definition, environments
from azlocal.aca.appstore import remove
from azlocal.aca.validation import check_app_name, check_resources, check_secret_refs
from azlocal.core.errors import AzLocalError, ValidationError
from azlocal.platform.store import store
from azlocal.resources import groups

logger = get_logger(__name__)


def _environment_target(managed_env, resource_group):
    """--environment (a name, or an id) -> (group, name) where it is or will be."""
    if managed_env.startswith("/"):
        parts = managed_env.strip("/").split("/")
        lower = [p.lower() for p in parts]
        if "resourcegroups" in lower and lower.index("resourcegroups") + 1 < len(parts):
            return parts[lower.index("resourcegroups") + 1], parts[-1]
        return resource_group, parts[-1]
    return resource_group, managed_env


def _registry(registry_server, registry_username, registry_password, ask):
    """az's rule: --registry-server without a username asks for both, without a password for it."""
    if registry_server:
        if registry_username is None and registry_password is None:
            registry_username = ask("text", "Please enter the registry's username: ")
            registry_password = ask("password", "Please enter the registry's password: ")
        elif registry_username is not None and registry_password is None:
            registry_password = ask("password", "Please enter the registry's password: ")
    return {"server": registry_server, "username": registry_username, "password": registry_password}


def _definition(plan, env_id, registry, image=None):
    return definition.from_args(
        plan.name, environment=env_id, secrets=plan.secrets,
        container={"image": image or plan.image, "container_name": plan.container_name, "cpu": plan.cpu,
                   "memory": plan.memory, "env_vars": plan.env_vars, "command": plan.command, "args": plan.args},
        scale={"min_replicas": plan.replicas, "max_replicas": plan.replicas},
        ingress={"kind": plan.ingress, "target_port": plan.target_port, "transport": plan.transport},
        registry=registry)


def _check_build(plan, registry_server):
    import os

    from azlocal.acr import registries

    context = plan.build["context"]
    if not os.path.isdir(context):
        raise ValidationError(f"The build context '{context}' of service '{plan.name}' is not a local directory.")
    dockerfile = os.path.join(context, plan.build["dockerfile"])
    if not os.path.isfile(dockerfile):
        raise ValidationError(f"Unable to find '{plan.build['dockerfile']}' in the build context '{context}' of "
                              f"service '{plan.name}'.")
    if registry_server:
        if not registry_server.lower().endswith(".azurecr.io"):
            raise ValidationError("Cannot supply non-Azure registry when using --source.")
        registries.get(registry_server.split(".")[0])


def _check(plans, env_id, registry):
    """Everything Azure would refuse, for every service, before the first app is made."""
    for plan in plans:
        check_app_name(plan.name)
        d = _definition(plan, env_id, registry if not plan.build else None)
        check_resources(d.template)
        check_secret_refs(d.template, d.secrets)
        if plan.build:
            _check_build(plan, registry.get("server"))
        elif not plan.image:
            logger.info("Service %s has neither image nor build: the default image %s is used, as az does.",
                        plan.name, definition.DEFAULT_IMAGE)


def create(resource_group, managed_env, compose_file_path="./docker-compose.yml", *, registry_server=None,
           registry_username=None, registry_password=None, transport_mapping=None, location=None, tags=None,
           ask=None):
    """The apps, in creation order, as `containerapp show` prints them."""
    ask = ask or compose._no_tty
    group_doc = groups.get(resource_group)
    group = group_doc["name"]
    env_group, env_name = _environment_target(managed_env, group)
    env_group = groups.get(env_group)["name"]
    env_id = environments._id(env_group, env_name)
    env_doc = store().get(env_id)
    profiles = env_doc is None or bool(env_doc["properties"].get("workloadProfiles"))
    plans = compose.plan(compose_file_path, transport_mapping=transport_mapping, workload_profiles=profiles,
                         ask=ask)
    registry = _registry(registry_server, registry_username, registry_password, ask)
    _check(plans, env_id, registry)
    created_env = env_doc is None
    if created_env:
        logger.info("Creating the Container Apps managed environment %s under %s in %s.", env_name, env_group,
                    location or group_doc["location"])
        env_doc = environments.create(env_group, env_name, location, tags)
    created, apps = [], []
    try:
        for plan in plans:
            apps.append(_create_app(group, plan, env_doc, registry, created))
    except BaseException:
        _roll_back(created, env_doc if created_env else None)
        raise
    return apps


def _create_app(group, plan, env_doc, registry, created):
    logger.info("Creating the Container Apps instance for %s under %s.", plan.name, group)
    image, app_registry = None, registry
    if plan.build:
        image = containerapp_up._build(plan.name, group, env_doc, plan.build["context"], registry.get("server"),
                                       plan.image, plan.build["dockerfile"])
        app_registry = dict(registry, server=image.split("/")[0]) if registry.get("server") else \
            {"server": image.split("/")[0]}
    existed = store().get(containerapps._id(group, plan.name)) is not None
    app = containerapps.create(group, plan.name, _definition(plan, env_doc["id"], app_registry, image))
    if not existed:
        created.append(app)
    return app


def _roll_back(created, env_doc):
    for app in reversed(created):
        try:
            containerapps.cleanup_app(app)
            remove(app)
        except (AzLocalError, OSError) as ex:  # keep undoing the rest
            logger.warning("Could not remove the container app %s: %s", app["name"], ex)
    if env_doc is not None:
        try:
            environments.delete(environments.group_name(env_doc), env_doc["name"])
        except (AzLocalError, OSError) as ex:
            logger.warning("Could not remove the environment %s: %s", env_doc["name"], ex)
