"""`az containerapp env http-route-config`: an environment's rule-based routing (Microsoft.App/managedEnvironments/
httpRouteConfigs), given as YAML (the resource's properties: customDomains, rules of routes and targets).

The configurations are validated and stored as Azure shows them, with their fqdn
(`<config name>.<environment domain>`); the local gateway does not route by them (said so with a warning)."""

from knack.log import get_logger

from azlocal.aca import environments
from azlocal.core.errors import AzLocalError, ResourceNotFound, ValidationError
from azlocal.platform.store import store

logger = get_logger(__name__)
ROUTE_TYPE = "Microsoft.App/managedEnvironments/httpRouteConfigs"
_NOT_ROUTED = ("http route configurations are recorded, not enforced: azlocal's gateway does not route requests to "
               "%s by their rules (each container app answers at its own fqdn).")
_MATCH_KEYS = ("prefix", "path", "pathSeparatedPrefix", "caseSensitive")


def _load(path):
    import yaml

    try:
        with open(path, encoding="utf-8") as f:
            data = yaml.safe_load(f)
    except OSError as ex:
        raise AzLocalError(f"Error loading the YAML file '{path}': {ex.strerror}") from None
    except yaml.YAMLError as ex:
        raise ValidationError(f"Error parsing YAML file '{path}': {ex}") from None
    if not isinstance(data, dict):
        raise ValidationError("Invalid YAML provided. Please see https://aka.ms/aca-yaml for a valid YAML spec.")
    return data.get("properties", data) if isinstance(data.get("properties"), dict) else data


def _check(env, props):
    """The rules name apps of this environment and say how requests match; az's service refuses otherwise."""
    rules = props.get("rules")
    if rules is not None and not isinstance(rules, list):
        raise ValidationError("(InvalidHttpRouteConfig) 'rules' must be a list of rules.")
    apps = {a["name"].lower() for a in store().list(type="Microsoft.App/containerApps")
            if a["properties"]["managedEnvironmentId"].lower() == env["id"].lower()}
    for rule in rules or []:
        if not isinstance(rule, dict) or not rule.get("targets"):
            raise ValidationError("(InvalidHttpRouteConfig) Each rule needs 'targets': the container apps it "
                                  "routes to.")
        for target in rule["targets"]:
            app = (target or {}).get("containerApp") if isinstance(target, dict) else None
            if not app:
                raise ValidationError("(InvalidHttpRouteConfig) Each target needs 'containerApp'.")
            if app.lower() not in apps:
                raise ValidationError(f"(InvalidHttpRouteConfig) The container app '{app}' of a rule's targets is not "
                                      f"in the managed environment '{env['name']}'.")
        for route in rule.get("routes") or []:
            match = (route or {}).get("match") or {}
            if not any(match.get(k) for k in ("prefix", "path", "pathSeparatedPrefix")):
                raise ValidationError("(InvalidHttpRouteConfig) Each route's 'match' needs one of 'prefix', 'path' "
                                      "or 'pathSeparatedPrefix'.")
            unknown = set(match) - set(_MATCH_KEYS)
            if unknown:
                raise ValidationError(f"(InvalidHttpRouteConfig) Unknown match field(s): {', '.join(sorted(unknown))}.")


def _id(env, name):
    return f"{env['id']}/httpRouteConfigs/{name}"


def _document(env, name, props):
    fqdn = f"{name}.{env['properties']['defaultDomain']}".lower()
    return {"id": _id(env, name), "name": name, "type": ROUTE_TYPE,
            "properties": {"customDomains": props.get("customDomains"), "fqdn": fqdn,
                           "provisioningErrors": [], "provisioningState": "Succeeded",
                           "rules": props.get("rules")}}


def _require(env, name):
    doc = store().get(_id(env, name))
    if doc is None:
        raise ResourceNotFound(f"The Resource '{ROUTE_TYPE}/{name}' under resource group "
                               f"'{environments.group_name(env)}' was not found. For more details please go to "
                               "https://aka.ms/ARMResourceNotFoundFix")
    return doc


def create(resource_group, name, route_name, yaml_path):
    env = environments.get(resource_group, name)
    props = _load(yaml_path)
    _check(env, props)
    doc = _document(env, route_name, props)
    store().put(doc)
    logger.warning(_NOT_ROUTED, doc["properties"]["fqdn"])
    return doc


def update(resource_group, name, route_name, yaml_path):
    env = environments.get(resource_group, name)
    existing = _require(env, route_name)
    props = dict(existing["properties"])
    props.update(_load(yaml_path))  # a PATCH: the properties given replace those stored
    _check(env, props)
    doc = _document(env, route_name, props)
    store().put(doc)
    logger.warning(_NOT_ROUTED, doc["properties"]["fqdn"])
    return doc


def show(resource_group, name, route_name):
    return _require(environments.get(resource_group, name), route_name)


def list_configs(resource_group, name):
    env = environments.get(resource_group, name)
    return store().list(type=ROUTE_TYPE, parent_id=env["id"])


def delete(resource_group, name, route_name):
    """As ARM's DELETE: a configuration that is not there is no error."""
    env = environments.get(resource_group, name)
    store().delete(_id(env, route_name))
