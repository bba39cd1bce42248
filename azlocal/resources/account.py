"""The offline account: one fixed local subscription and tenant, extensions and providers."""

from azlocal import __version__
from azlocal.core import parsing, settings
from azlocal.core.errors import AzLocalError, ValidationError
from azlocal.platform.store import store

# Extensions the course scripts add; any other name is recorded with a generic version.
KNOWN_EXTENSIONS = {"containerapp": "1.2.0b1", "containerapp-compose": "1.0.0", "acrtransfer": "1.1.0"}

PROVIDERS = {
    "Microsoft.App": ["containerApps", "managedEnvironments", "jobs", "operations", "locations"],
    "Microsoft.ContainerInstance": ["containerGroups", "locations", "operations"],
    "Microsoft.ContainerRegistry": ["registries", "registries/replications", "registries/webhooks",
                                    "registries/tasks", "registries/runs", "operations"],
    "Microsoft.OperationalInsights": ["workspaces", "operations"],
    "Microsoft.Resources": ["resourceGroups", "subscriptions", "deployments"],
    "Microsoft.Storage": ["storageAccounts", "operations"],
    "Microsoft.Network": ["virtualNetworks", "publicIPAddresses"],
    "Microsoft.KeyVault": ["vaults"],
    "Microsoft.ManagedIdentity": ["userAssignedIdentities"],
    "Microsoft.Insights": ["components", "diagnosticSettings"],
}
# Providers that Azure registers for every subscription.
DEFAULT_REGISTERED = {"Microsoft.Resources"}


def _subscription(default=True):
    return {
        "environmentName": "AzureCloud",
        "homeTenantId": settings.TENANT_ID,
        "id": settings.SUBSCRIPTION_ID,
        "isDefault": default,
        "managedByTenants": [],
        "name": settings.SUBSCRIPTION_NAME,
        "state": "Enabled",
        "tenantId": settings.TENANT_ID,
        "user": {"name": store().get_value("account.user", settings.USER_NAME), "type": "user"},
    }


def login(username=None, service_principal=False):
    s = store()
    with s.transaction():
        s.set_value("account.logged_out", False)
        if username:
            s.set_value("account.user", username)
    sub = _subscription()
    # `az login` prints cloudName where `account show` prints environmentName.
    sub["cloudName"] = sub.pop("environmentName")
    if service_principal:
        sub["user"]["type"] = "servicePrincipal"
    return [sub]


def logout():
    s = store()
    with s.transaction():
        s.set_value("account.logged_out", True)


def _require_login():
    if store().get_value("account.logged_out", False):
        raise AzLocalError("Please run 'az login' to setup account.")


def show():
    _require_login()
    return _subscription()


def list_subscriptions():
    if store().get_value("account.logged_out", False):
        return []
    return [_subscription()]


def resolve_subscription(name_or_id, signed_in=True):
    """The subscription a `--subscription NAME_OR_ID` names (matched in any casing), or az's error."""
    if signed_in:
        _require_login()
    if name_or_id.lower() not in (settings.SUBSCRIPTION_ID.lower(), settings.SUBSCRIPTION_NAME.lower()):
        raise AzLocalError(f"Subscription '{name_or_id}' not found. Check the spelling and casing and try again.")
    return _subscription()


def set_subscription(name_or_id):
    _require_login()
    if name_or_id.lower() not in (settings.SUBSCRIPTION_ID, settings.SUBSCRIPTION_NAME.lower()):
        raise AzLocalError(f"The subscription of '{name_or_id}' doesn't exist in cloud 'AzureCloud'.")


def versions():
    return {
        "azlocal": __version__,
        "azure-cli": "2.91.0",
        "azure-cli-core": "2.91.0",
        "azure-cli-telemetry": "1.1.0",
        "extensions": {e["name"]: e["version"] for e in extension_list()},
    }


# Configuration --------------------------------------------------------------------------

def configure(config, defaults=None, list_defaults=False):
    if defaults:
        for item in defaults:  # one at a time, as az: the items before a malformed one are set
            [(key, value)] = parsing.pairs([item], error=_defaults_usage)
            if value:
                config.set_value("defaults", key, value)
            else:
                config.remove_option("defaults", key)
    if list_defaults:
        return [{"name": k, "source": config.config_path, "value": v} for k, v in _defaults_items(config)]
    return None


def _defaults_usage(item):
    return f"usage error: --defaults STRING=STRING STRING=STRING ... (got '{item}')"


def _defaults_items(config):
    try:
        return [(item["name"], item["value"]) for item in config.items("defaults")]
    except Exception:  # no [defaults] section yet
        return []


# Extensions -----------------------------------------------------------------------------

def extension_add(name=None, source=None, version=None):
    if not name and source:
        name = source.rstrip("/").rsplit("/", 1)[-1].split("-")[0]
    if not name:
        raise ValidationError("usage error: --name NAME | --source SOURCE")
    s = store()
    with s.transaction():
        installed = s.get_value("extensions", {})
        installed[name] = version or KNOWN_EXTENSIONS.get(name, "1.0.0")
        s.set_value("extensions", installed)


def _extension_doc(name, version):
    return {
        "experimental": False,
        "extensionType": "whl",
        "name": name,
        "path": str(settings.home() / "cliextensions" / name),
        "preview": "b" in version,
        "version": version,
    }


def extension_list():
    return [_extension_doc(n, v) for n, v in sorted(store().get_value("extensions", {}).items())]


def extension_show(name):
    installed = store().get_value("extensions", {})
    if name not in installed:
        raise AzLocalError(f"The extension {name} is not installed.")
    return _extension_doc(name, installed[name])


def extension_remove(name):
    s = store()
    with s.transaction():
        installed = s.get_value("extensions", {})
        if name not in installed:
            raise AzLocalError(f"The extension {name} is not installed.")
        del installed[name]
        s.set_value("extensions", installed)


# Providers ------------------------------------------------------------------------------

def _canonical_namespace(namespace):
    for known in PROVIDERS:
        if known.lower() == namespace.lower():
            return known
    if "." not in namespace:
        raise ValidationError(
            f"(InvalidResourceNamespace) The resource namespace '{namespace}' is invalid."
        )
    return namespace


def provider_set_state(namespace, state):
    namespace = _canonical_namespace(namespace)
    s = store()
    with s.transaction():
        states = s.get_value("providers", {})
        states[namespace] = state
        s.set_value("providers", states)


def _provider_doc(namespace, state):
    return {
        "id": f"/subscriptions/{settings.SUBSCRIPTION_ID}/providers/{namespace}",
        "namespace": namespace,
        "registrationPolicy": "RegistrationRequired",
        "registrationState": state,
        "resourceTypes": [
            {"apiVersions": ["2024-03-01"], "locations": [], "resourceType": t}
            for t in PROVIDERS.get(namespace, [])
        ],
    }


def _state_of(namespace, states):
    return states.get(namespace) or ("Registered" if namespace in DEFAULT_REGISTERED else "NotRegistered")


def provider_show(namespace):
    namespace = _canonical_namespace(namespace)
    return _provider_doc(namespace, _state_of(namespace, store().get_value("providers", {})))


def provider_list():
    states = store().get_value("providers", {})
    names = sorted(set(PROVIDERS) | set(states))
    return [_provider_doc(n, _state_of(n, states)) for n in names]
