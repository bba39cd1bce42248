"""The offline account: login, account, version, configure, extension, provider."""

from operator import itemgetter

from knack.arguments import ArgumentsContext
from knack.commands import CommandGroup
from knack.log import get_logger

from azlocal.core import tables
from azlocal.core.conventions import enum_type, three_state_flag
from azlocal.resources import _help  # noqa: F401  (registers the help entries)

logger = get_logger(__name__)



def load_commands(loader):
    with CommandGroup(loader, "", "azlocal.resources.account_commands#{}") as g:
        g.command("login", "login")
        g.command("logout", "logout")
        g.command("version", "version")
        g.command("configure", "configure")
    with CommandGroup(loader, "account", "azlocal.resources.account_commands#{}") as g:
        g.command("show", "account_show")
        g.command("list", "account_list", table_transformer=account_table)
        g.command("set", "account_set")
        g.command("list-locations", "list_locations", table_transformer=location_table)
    with CommandGroup(loader, "extension", "azlocal.resources.account_commands#{}") as g:
        g.command("add", "extension_add")
        g.command("list", "extension_list")
        g.command("show", "extension_show")
        g.command("remove", "extension_remove")
    with CommandGroup(loader, "provider", "azlocal.resources.account_commands#{}") as g:
        g.command("register", "provider_register")
        g.command("unregister", "provider_unregister")
        g.command("show", "provider_show")
        g.command("list", "provider_list", table_transformer=provider_table)


def load_arguments(loader, command):
    with ArgumentsContext(loader, "login") as c:
        c.argument("username", options_list=["--username", "-u"], help="User name (ignored offline).")
        c.argument("password", options_list=["--password", "-p"], help="Password (ignored offline).")
        c.argument("tenant", options_list=["--tenant", "-t"], help="The tenant (ignored offline).")
        c.argument("service_principal", options_list=["--service-principal"], action="store_true",
                   help="Sign in as a service principal (accepted offline).")
        c.argument("identity", options_list=["--identity", "-i"], action="store_true", arg_group="Managed Identity",
                   help="Sign in with a managed identity (offline: the local account).")
        for name, text in (("client_id", "Client ID"), ("object_id", "Object ID"), ("resource_id", "Resource ID")):
            c.argument(name, options_list=[f"--{name.replace('_', '-')}"], arg_group="Managed Identity",
                       help=f"{text} of the user-assigned managed identity (offline: the local account).")
        c.argument("certificate", options_list=["--certificate"],
                   help="PEM file with key and public certificate (not read offline).")
        c.argument("federated_token", options_list=["--federated-token"],
                   help="Federated token for OIDC token exchange (not used offline).")
        c.argument("claims_challenge", options_list=["--claims-challenge"],
                   help="Base64-encoded claims challenge (not used offline).")
        c.argument("scope", options_list=["--scope"], nargs="+",
                   help="Scope of the /authorize request (not used offline).")
        c.argument("use_cert_sn_issuer", options_list=["--use-cert-sn-issuer"], action="store_true",
                   help="Subject Name + Issuer authentication (not used offline).")
        c.argument("skip_subscription_discovery", options_list=["--skip-subscription-discovery", "--skip-sub"],
                   action="store_true", help="Skip the subscription discovery (there is one local subscription).")
        c.argument("use_device_code", options_list=["--use-device-code"], action="store_true",
                   help="Use device code flow (no browser is needed offline either way).")
        c.argument("allow_no_subscriptions", options_list=["--allow-no-subscriptions"], action="store_true",
                   help="Accepted for compatibility.")
        c.argument("subscription", options_list=["--subscription", "-s"],
                   help="Name or ID of the subscription to set as the default one (the local one).")
    for command in ("account set", "account show"):
        with ArgumentsContext(loader, command) as c:
            c.argument("subscription", options_list=["--subscription", "-s", "--name", "-n"],
                       help="Name or ID of subscription.")
    with ArgumentsContext(loader, "account list") as c:
        c.argument("all_", options_list=["--all"], action="store_true",
                   help="List all subscriptions from all clouds, rather than just 'Enabled' ones.")
        c.argument("refresh", options_list=["--refresh"], action="store_true",
                   help="Retrieve up-to-date subscriptions from server.")
    with ArgumentsContext(loader, "account list-locations") as c:
        c.argument("include_extended_locations", three_state_flag(("0", "1", "f", "false", "n", "no", "t", "true",
                                                                   "y", "yes")),
                   options_list=["--include-extended-locations"],
                   help="Include extended locations (edge zones; the local subscription has none).")
    with ArgumentsContext(loader, "configure") as c:
        c.argument("defaults", options_list=["--defaults", "-d"], nargs="+",
                   help="Space-separated 'name=value' pairs for common argument defaults.")
        c.argument("list_defaults", three_state_flag(), options_list=["--list-defaults", "-l"],
                   help="List the defaults.")
        c.argument("scope", enum_type(["global", "local"]), options_list=["--scope"],
                   help="Scope of defaults. Only 'global' is kept by azlocal.")
    with ArgumentsContext(loader, "extension") as c:
        c.argument("name", options_list=["--name", "-n"], help="Name of extension.")
    with ArgumentsContext(loader, "extension add") as c:
        c.argument("upgrade", options_list=["--upgrade"], action="store_true",
                   help="Update the extension if already installed.")
        c.argument("yes", options_list=["--yes", "-y"], action="store_true", help="Do not prompt for confirmation.")
        c.argument("allow_preview", three_state_flag(), options_list=["--allow-preview"],
                   help="Include preview versions.")
        c.argument("pip_extra_index_urls", options_list=["--pip-extra-index-urls"], nargs="+",
                   help="Extra package indexes for pip (not used: azlocal's features are built in).")
        c.argument("pip_proxy", options_list=["--pip-proxy"],
                   help="Proxy for pip (not used: azlocal's features are built in).")
        c.argument("system", options_list=["--system"], action="store_true",
                   help="Use a system directory for the extension (not used: features are built in).")
        c.argument("version", options_list=["--version"], help="The version of the extension to install.")
        c.argument("source", options_list=["--source", "-s"], help="Filepath or URL to an extension.")
    with ArgumentsContext(loader, "provider") as c:
        c.argument("namespace", options_list=["--namespace", "-n"],
                   help="The resource namespace, aka 'provider'.")
    with ArgumentsContext(loader, "provider register") as c:
        c.argument("wait", options_list=["--wait"], action="store_true", help="Wait for the registration to finish.")
        c.argument("consent_to_permissions", options_list=["--consent-to-permissions", "-c"], action="store_true",
                   help="Consent to the permissions the provider needs (nothing to consent to offline).")
        c.argument("management_group_id", options_list=["--management-group-id", "-m"],
                   help="The management group to register the provider in (recorded as the subscription's "
                   "registration offline).")
        c.argument("accept_terms", options_list=["--accept-terms"], action="store_true",
                   help="Accepted for compatibility.")
    with ArgumentsContext(loader, "provider unregister") as c:
        c.argument("wait", options_list=["--wait"], action="store_true", help="Wait for the unregistration to finish.")
    with ArgumentsContext(loader, "provider show") as c:
        c.argument("expand", options_list=["--expand"], help="Accepted for compatibility.")
    with ArgumentsContext(loader, "provider list") as c:
        c.argument("expand", options_list=["--expand"], help="Accepted for compatibility.")


def account_table(result):
    return tables.table(result, {
        "Name": itemgetter("name"), "CloudName": lambda a: a.get("environmentName", "AzureCloud"),
        "SubscriptionId": itemgetter("id"), "TenantId": itemgetter("tenantId"), "State": itemgetter("state"),
        "IsDefault": itemgetter("isDefault")})


def location_table(result):
    return tables.table(result, {"DisplayName": itemgetter("displayName"), "Name": itemgetter("name"),
                                 "RegionalDisplayName": itemgetter("regionalDisplayName")})


def provider_table(result):
    return tables.table(result, {"Namespace": itemgetter("namespace"),
                                 "RegistrationState": itemgetter("registrationState"),
                                 "RegistrationPolicy": itemgetter("registrationPolicy")})


def login(username=None, password=None, tenant=None, service_principal=False, identity=False,
          use_device_code=False, allow_no_subscriptions=False, subscription=None, client_id=None, object_id=None,
          resource_id=None, certificate=None, federated_token=None, claims_challenge=None, scope=None,
          use_cert_sn_issuer=False, skip_subscription_discovery=False):
    from azlocal.resources import account

    if identity or certificate or federated_token or client_id or object_id or resource_id:
        logger.warning("Offline, every sign-in is to the local account: the managed identity, certificate or "
                       "federated token given is not used.")

    if subscription:
        account.resolve_subscription(subscription, signed_in=False)
    return account.login(username, service_principal)


def logout(username=None):
    from azlocal.resources import account

    account.logout()


def account_show(subscription=None):
    from azlocal.resources import account

    return account.resolve_subscription(subscription) if subscription else account.show()


def account_list(all_=False, refresh=False):
    from azlocal.resources import account

    return account.list_subscriptions()


def account_set(subscription):
    from azlocal.resources import account

    account.set_subscription(subscription)


def list_locations(include_extended_locations=None):
    from azlocal.core.locations import list_locations as regions

    # Extended locations are Azure edge zones; the local subscription has none to add.

    return regions()


def version():
    from azlocal.resources import account

    return account.versions()


def configure(cmd, defaults=None, list_defaults=False, scope=None):
    from azlocal.resources import account

    return account.configure(cmd.cli_ctx.config, defaults, list_defaults)


def extension_add(name=None, upgrade=False, yes=False, allow_preview=None, version=None, source=None,
                  pip_extra_index_urls=None, pip_proxy=None, system=False):
    from azlocal.resources import account

    if pip_extra_index_urls or pip_proxy or system:
        logger.warning("azlocal's features are built in and nothing is installed with pip: --pip-extra-index-urls, "
                       "--pip-proxy and --system have no effect.")

    account.extension_add(name, source, version)


def extension_list():
    from azlocal.resources import account

    return account.extension_list()


def extension_show(name):
    from azlocal.resources import account

    return account.extension_show(name)


def extension_remove(name):
    from azlocal.resources import account

    account.extension_remove(name)


def provider_register(namespace, wait=False, consent_to_permissions=False, accept_terms=False,
                      management_group_id=None):
    from azlocal.resources import account

    account.provider_set_state(namespace, "Registered")


def provider_unregister(namespace, wait=False):
    from azlocal.resources import account

    account.provider_set_state(namespace, "Unregistered")


def provider_show(namespace, expand=None):
    from azlocal.resources import account

    return account.provider_show(namespace)


def provider_list(expand=None):
    from azlocal.resources import account

    return account.provider_list()
