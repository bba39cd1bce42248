"""az containerapp: environments, apps, revisions, ingress and traffic, secrets, replicas."""

from collections import OrderedDict

from knack.arguments import ArgumentsContext, CLIArgumentType
from knack.commands import CommandGroup

from azlocal.aca import _help  # noqa: F401  (registers the help entries)
from azlocal.core.conventions import as_bool, enum_type, three_state_flag

name_type = CLIArgumentType(options_list=["--name", "-n"], help="The name of the Containerapp.")
bool_type = three_state_flag()


def _bool(value):
    return as_bool(value)


def load_commands(loader):
    with CommandGroup(loader, "containerapp", "azlocal.aca.commands#{}") as g:
        g.command("create", "app_create", table_transformer=app_table)
        g.command("update", "app_update", table_transformer=app_table)
        g.command("show", "app_show", table_transformer=app_table)
        g.command("list", "app_list", table_transformer=app_table)
        g.command("delete", "app_delete", confirmation=True)
        g.command("browse", "app_browse")
        g.command("exec", "app_exec")
        g.command("up", "app_up")
    with CommandGroup(loader, "containerapp logs", "azlocal.aca.commands#{}") as g:
        g.command("show", "logs_show")
    with CommandGroup(loader, "containerapp env", "azlocal.aca.commands#{}") as g:
        g.command("create", "env_create")
        g.command("show", "env_show")
        g.command("list", "env_list")
        g.command("update", "env_update")
        g.command("delete", "env_delete", confirmation=True)
    with CommandGroup(loader, "containerapp revision", "azlocal.aca.commands#{}") as g:
        g.command("list", "revision_list", table_transformer=revision_table)
        g.command("show", "revision_show", table_transformer=revision_table)
        g.command("activate", "revision_activate")
        g.command("deactivate", "revision_deactivate")
        g.command("restart", "revision_restart")
        g.command("copy", "revision_copy", table_transformer=app_table)
        g.command("set-mode", "revision_set_mode")
    with CommandGroup(loader, "containerapp revision label", "azlocal.aca.commands#{}") as g:
        g.command("add", "label_add", table_transformer=traffic_table)
        g.command("remove", "label_remove", table_transformer=traffic_table)
        g.command("swap", "label_swap", table_transformer=traffic_table)
    with CommandGroup(loader, "containerapp ingress", "azlocal.aca.commands#{}") as g:
        g.command("enable", "ingress_enable")
        g.command("disable", "ingress_disable")
        g.command("update", "ingress_update")
        g.command("show", "ingress_show")
    with CommandGroup(loader, "containerapp ingress traffic", "azlocal.aca.commands#{}") as g:
        g.command("set", "traffic_set", table_transformer=traffic_table)
        g.command("show", "traffic_show", table_transformer=traffic_table)
    with CommandGroup(loader, "containerapp secret", "azlocal.aca.commands#{}") as g:
        g.command("list", "secret_list")
        g.command("show", "secret_show")
        g.command("set", "secret_set")
        g.command("remove", "secret_remove")
    with CommandGroup(loader, "containerapp replica", "azlocal.aca.commands#{}") as g:
        g.command("list", "replica_list")
        g.command("show", "replica_show")
    with CommandGroup(loader, "containerapp registry", "azlocal.aca.commands#{}") as g:
        g.command("set", "registry_set")
        g.command("list", "registry_list")
        g.command("show", "registry_show")
        g.command("remove", "registry_remove")
    with CommandGroup(loader, "containerapp dapr", "azlocal.aca.commands#{}") as g:
        g.command("enable", "dapr_enable")
        g.command("disable", "dapr_disable")


def load_arguments(loader, command):
    with ArgumentsContext(loader, "containerapp") as c:
        c.argument("name", name_type)
        c.argument("environment", help="Name or resource ID of the container app's environment.")
        c.argument("image", options_list=["--image", "-i"], help="Container image, e.g. publisher/image-name:tag.")
        c.argument("container_name", help="Name of the container.")
        c.argument("cpu", type=float, help="Required CPU in cores from 0.25 - 2.0, e.g. 0.5")
        c.argument("memory", help="Required memory from 0.5 - 4.0 ending with \"Gi\", e.g. 1.0Gi")
        c.argument("env_vars", nargs="*", help="A list of environment variable(s) for the container. Space-separated "
                   "values in 'key=value' format. Empty string to clear existing values. Prefix value with "
                   "'secretref:' to reference a secret.")
        c.argument("secrets", options_list=["--secrets", "-s"], nargs="*",
                   help="A list of secret(s) for the container app. Space-separated values in 'key=value' format.")
        c.argument("startup_command", options_list=["--command"], nargs="*",
                   help="A list of supported commands on the container that will executed "
                   "during startup. Space-separated values e.g. \"/bin/queue\" \"mycommand\".")
        c.argument("args", nargs="*", help="A list of container startup command argument(s).")
        c.argument("revision_suffix", help="User friendly suffix that is appended to the revision name.")
        c.argument("revisions_mode", enum_type(["single", "multiple"]), help="The active revisions mode.")
        c.argument("ingress", enum_type(["internal", "external"]), help="The ingress type.")
        c.argument("target_port", type=int, help="The application port used for ingress traffic.")
        c.argument("transport", enum_type(["auto", "http", "http2", "tcp"]), help="The transport protocol.")
        c.argument("allow_insecure", bool_type, help="Allow insecure connections for ingress traffic.")
        c.argument("min_replicas", type=int, help="The minimum number of replicas.")
        c.argument("max_replicas", type=int, help="The maximum number of replicas.")
        c.argument("registry_server", help="The container registry server hostname, e.g. myregistry.azurecr.io.")
        c.argument("registry_username", help="The username to log in to container registry.")
        c.argument("registry_password", help="The password to log in to container registry.")
        c.argument("secret_volume_mount", help="Path to mount all secrets e.g. mnt/secrets")
        c.argument("scale_rule_name", options_list=["--scale-rule-name", "--srn"], help="The name of the scale rule.")
        c.argument("scale_rule_type", options_list=["--scale-rule-type", "--srt"], help="The type of the scale rule.")
        c.argument("scale_rule_http_concurrency", type=int,
                   options_list=["--scale-rule-http-concurrency", "--srhc", "--srtc", "--scale-rule-tcp-concurrency"],
                   help="The maximum number of concurrent requests before scale out.")
        c.argument("yaml", help="Path to a .yaml file with the configuration of a container app. All other "
                   "parameters will be ignored.")
        c.argument("revision", help="The name of the revision.")
        c.argument("show_secrets", action="store_true", help="Show Containerapp secrets.")
        c.argument("all_", options_list=["--all"], action="store_true", help="Show inactive revisions.")
        c.argument("set_env_vars", nargs="*", help="Add or update environment variable(s) in container.")
        c.argument("remove_env_vars", nargs="*", help="Remove environment variable(s) from container.")
        c.argument("replace_env_vars", nargs="*", help="Replace environment variable(s) in container.")
        c.argument("remove_all_env_vars", action="store_true", help="Remove all environment variable(s).")
        c.argument("logs_destination", enum_type(["azure-monitor", "log-analytics", "none"]), help="Logs destination.")
        c.argument("logs_workspace_id", help="Workspace ID of the Log Analytics workspace.")
        c.argument("logs_workspace_key", help="Log Analytics workspace key.")
        c.argument("mode", enum_type(["single", "multiple"]), help="The active revisions mode for the container app.")
        c.argument("label", help="The name of the label.")
        c.argument("source", help="The source label.")
        c.argument("target", help="The target label.")
        c.argument("from_revision", help="Revision to copy from. Default: latest revision.")
        c.argument("kind", enum_type(["internal", "external"]), options_list=["--type"], help="The ingress type.")
        c.argument("revision_weight", options_list=["--revision-weight", "--traffic-weight"], nargs="+",
                   help="A list of revision weight(s): 'revision=weight' or 'latest=weight'.")
        c.argument("label_weight", nargs="+", help="A list of label weight(s): 'label=weight'.")
        c.argument("secret_name", help="The name of the secret to show.")
        c.argument("secret_names", nargs="+", help="A list of secret(s) for the container app.")
        c.argument("show_values", action="store_true", help="Show the secret values.")
        c.argument("replica", help="The name of the replica.")
        c.argument("follow", bool_type, help="Print logs in real time if present.")
        c.argument("tail", type=int, help="The number of past logs to print (0-300).")
        c.argument("format", enum_type(["json", "text"]), options_list=["--format"], help="Log output format.")
        c.argument("log_type", enum_type(["console", "system"]), options_list=["--type", "-t"], help="Type of logs.")
        c.argument("container", help="The name of the container.")
        c.argument("exec_command", options_list=["--command"], nargs="*",
                   help="The startup command (bash, zsh, sh, etc.).")
        c.argument("server", help="The container registry server, e.g. myregistry.azurecr.io")
        c.argument("username", help="The username of the registry.")
        c.argument("password", help="The password of the registry.")
        c.argument("dapr_app_id", help="The Dapr application identifier.")
        c.argument("dapr_app_port", type=int, help="The port Dapr uses to talk to the application.")
        c.argument("dapr_app_protocol", enum_type(["http", "grpc"]), help="The protocol Dapr uses to talk to the app.")
        c.argument("dapr_log_level", enum_type(["debug", "error", "info", "warn"]), help="The log level for Dapr.")
        c.argument("yes", options_list=["--yes", "-y"], action="store_true", help="Do not prompt for confirmation.")
        c.argument("scale_rule_metadata", options_list=["--scale-rule-metadata", "--srm"], nargs="+",
                   help="Scale rule metadata, space-separated 'key=value' pairs.")
        c.argument("scale_rule_auth", options_list=["--scale-rule-auth", "--sra"], nargs="+",
                   help="Scale rule auth parameters, space-separated 'triggerParameter=secretRef' pairs.")
        c.argument("termination_grace_period", options_list=["--termination-grace-period", "--tgp"], type=int,
                   help="Seconds a replica gets to shut down after SIGTERM before it is killed (default 30).")
        c.argument("workload_profile_name", options_list=["--workload-profile-name", "-w"],
                   help="Name of the environment's workload profile to run the app on.")
        c.argument("exposed_port", type=int, help="Additional exposed port (TCP transport only).")
        c.argument("registry_identity", help="A managed identity to pull from the registry with (a resource ID, or "
                   "'system'); the registry must be an ACR.")
        c.argument("user_assigned", nargs="+", help="Space-separated user identities to be assigned.")
        c.argument("system_assigned", action="store_true", help="Assign a system-assigned identity.")
        c.argument("dapr_enabled", three_state_flag(), options_list=["--enable-dapr"], help="Enable Dapr.")
        c.argument("dapr_enable_api_logging", options_list=["--dapr-enable-api-logging", "--dal"],
                   action="store_true", help="Enable API logging for the Dapr sidecar.")
        c.argument("dapr_http_max_request_size", options_list=["--dapr-http-max-request-size", "--dhmrs"], type=int,
                   help="Max size of a request body in MB for the Dapr http and grpc servers.")
        c.argument("dapr_http_read_buffer_size", options_list=["--dapr-http-read-buffer-size", "--dhrbs"], type=int,
                   help="Max size of the http header read buffer in KB.")
        c.argument("identity", help="The managed identity to pull from the registry with: 'system' or a resource ID.")
    with ArgumentsContext(loader, "containerapp up") as c:
        c.argument("source", help="Local directory path containing the application source and Dockerfile.")
        c.argument("resource_group_name", options_list=["--resource-group", "-g"], configured_default="group",
                   required=False, help="Name of resource group (created if missing).")
        c.argument("repo", help="A GitHub repository to deploy with GitHub Actions (needs GitHub; not offline).")
        c.argument("branch", options_list=["--branch", "-b"], help="The branch of the GitHub repository.")
        c.argument("token", help="A GitHub personal access token with write access to the repository.")
        c.argument("context_path", help="Path in the repository from which to run the docker build.")
        c.argument("service_principal_client_id", options_list=["--service-principal-client-id", "--sp-cid"],
                   help="The service principal client ID used by GitHub Actions.")
        c.argument("service_principal_client_secret",
                   options_list=["--service-principal-client-secret", "--sp-sec"],
                   help="The service principal client secret used by GitHub Actions.")
        c.argument("service_principal_tenant_id", options_list=["--service-principal-tenant-id", "--sp-tid"],
                   help="The service principal tenant ID used by GitHub Actions.")
        c.argument("browse", action="store_true", help="Open the app in a web browser after deployment.")
    with ArgumentsContext(loader, "containerapp env") as c:
        c.argument("name", options_list=["--name", "-n"], help="Name of the Container Apps environment.")
        c.argument("dapr_connection_string", options_list=["--dapr-connection-string", "-d"],
                   help="Application Insights connection string used by Dapr to export telemetry.")
        c.argument("instrumentation_key", options_list=["--dapr-instrumentation-key"],
                   help="Application Insights instrumentation key used by Dapr to export telemetry.")
        c.argument("certificate_file", options_list=["--custom-domain-certificate-file", "--certificate-file"],
                   help="The filepath of the certificate file (.pfx or .pem) for the environment's custom domain.")
        c.argument("certificate_password",
                   options_list=["--custom-domain-certificate-password", "--certificate-password"],
                   help="The certificate file password for the environment's custom domain.")
        c.argument("hostname", options_list=["--custom-domain-dns-suffix", "--dns-suffix"],
                   help="The DNS suffix for the environment's custom domain.")
        c.argument("docker_bridge_cidr", help="CIDR notation IP range assigned to the Docker bridge network.")
        c.argument("platform_reserved_cidr", help="IP range in CIDR notation reserved for infrastructure IPs.")
        c.argument("platform_reserved_dns_ip", help="An IP address from the platform reserved range for the DNS.")
        c.argument("infrastructure_subnet_resource_id", options_list=["--infrastructure-subnet-resource-id", "-s"],
                   help="Resource ID of a subnet for infrastructure components (needs a VNet).")
        c.argument("infrastructure_resource_group", options_list=["--infrastructure-resource-group", "-i"],
                   help="Name for the resource group that will contain infrastructure resources.")
        c.argument("internal_only", three_state_flag(), options_list=["--internal-only"],
                   help="The environment only has an internal load balancer.")
        c.argument("zone_redundant", options_list=["--zone-redundant", "-z"], action="store_true",
                   help="Enable zone redundancy on the environment.")
        c.argument("enable_workload_profiles", three_state_flag(), options_list=["--enable-workload-profiles", "-w"],
                   help="Whether the environment has workload profiles (default true).")
        c.argument("mtls_enabled", three_state_flag(), options_list=["--enable-mtls"],
                   help="Enable mTLS for the environment's apps.")
        c.argument("p2p_encryption_enabled", three_state_flag(), options_list=["--enable-peer-to-peer-encryption"],
                   help="Enable peer-to-peer traffic encryption.")
        c.argument("storage_account", help="Name or resource ID of a storage account for diagnostic logs.")
        c.argument("workload_profile_name", options_list=["--workload-profile-name", "-w"],
                   help="The friendly name for the workload profile.")
        c.argument("workload_profile_type", help="The type of workload profile to add or update.")
        c.argument("min_nodes", type=int, help="The minimum nodes for this workload profile.")
        c.argument("max_nodes", type=int, help="The maximum nodes for this workload profile.")
    with ArgumentsContext(loader, "containerapp revision label add") as c:
        c.argument("yes", options_list=["--no-prompt", "--yes", "-y"], action="store_true",
                   help="Do not prompt to move a label that is on another revision.")


# Table formats -----------------------------------------------------------------------------------

def app_table(result):
    rows = result if isinstance(result, list) else [result]
    return [OrderedDict([("Name", a["name"]), ("Location", a["location"]),
                         ("ResourceGroup", a.get("resourceGroup", "")),
                         ("Fqdn", ((a["properties"]["configuration"].get("ingress") or {}).get("fqdn") or ""))])
            for a in rows]


def revision_table(result):
    rows = result if isinstance(result, list) else [result]
    return [OrderedDict([("CreatedTime", r["properties"]["createdTime"]), ("Active", r["properties"]["active"]),
                         ("Replicas", r["properties"]["replicas"]),
                         ("TrafficWeight", r["properties"]["trafficWeight"]),
                         ("HealthState", r["properties"]["healthState"]),
                         ("ProvisioningState", r["properties"]["provisioningState"]), ("Name", r["name"])])
            for r in rows]


def traffic_table(result):
    return [OrderedDict([("LatestRevision", t.get("latestRevision", False)), ("Weight", t.get("weight")),
                         ("Label", t.get("label") or ""), ("RevisionName", t.get("revisionName") or "")])
            for t in result or []]


# Handlers ----------------------------------------------------------------------------------------

def _svc():
    from azlocal.aca import containerapps

    return containerapps


def _scale_rule(name, kind, concurrency, metadata=None, auth=None):
    from azlocal.aca import containerapps_options

    return containerapps_options.scale_rule(name, kind, concurrency, metadata, auth)


def _read(path):
    from azlocal.core.errors import AzLocalError

    try:
        with open(path) as f:
            return f.read()
    except OSError as ex:
        raise AzLocalError(f"Cannot read '{path}': {ex.strerror}") from ex


def _dapr(enabled, app_id, app_port, app_protocol, log_level, api_logging, max_request_size, read_buffer_size):
    if not enabled:
        if any(v for v in (app_id, app_port, app_protocol, log_level, api_logging, max_request_size,
                           read_buffer_size)):
            from knack.log import get_logger

            get_logger(__name__).warning("The --dapr-* settings take effect only with --enable-dapr; they were not "
                                         "applied.")
        return None
    return dict(enabled=True, app_id=app_id, app_port=app_port, app_protocol=app_protocol, log_level=log_level,
                api_logging=bool(api_logging), max_request_size=max_request_size, read_buffer_size=read_buffer_size)


def app_create(name, resource_group_name, environment=None, image=None, container_name=None, cpu=None, memory=None,
               env_vars=None, secrets=None, startup_command=None, args=None, revision_suffix=None,
               revisions_mode="single",
               ingress=None, target_port=None, exposed_port=None, transport="auto", allow_insecure=None,
               min_replicas=None, max_replicas=None, registry_server=None, registry_username=None,
               registry_password=None, registry_identity=None, secret_volume_mount=None, scale_rule_name=None,
               scale_rule_type=None, scale_rule_http_concurrency=None, scale_rule_metadata=None,
               scale_rule_auth=None, termination_grace_period=None, workload_profile_name=None,
               system_assigned=False, user_assigned=None, dapr_enabled=None, dapr_app_id=None, dapr_app_port=None,
               dapr_app_protocol=None, dapr_log_level=None, dapr_enable_api_logging=False,
               dapr_http_max_request_size=None, dapr_http_read_buffer_size=None, yaml=None, tags=None,
               no_wait=False):
    from azlocal.core.common import Progress, parse_tags

    svc = _svc()
    if yaml:
        from knack.log import get_logger

        definition = svc.definition_from_yaml(_read(yaml))
        get_logger(__name__).warning("Additional flags were passed along with --yaml. These flags will be ignored, "
                                     "and the configuration defined in the yaml will be used instead")
        with Progress():
            app = svc.create(resource_group_name, name, environment or definition["environment"],
                             secrets_=definition["secrets"], revisions_mode=definition["revisions_mode"],
                             ingress=definition["ingress"], target_port=definition["target_port"],
                             transport=definition["transport"], allow_insecure=definition["allow_insecure"],
                             tags=parse_tags(tags), template_override=definition["template"])
        return svc.hide_env_values(app)
    dapr = _dapr(_bool(dapr_enabled), dapr_app_id, dapr_app_port, dapr_app_protocol, dapr_log_level,
                 dapr_enable_api_logging, dapr_http_max_request_size, dapr_http_read_buffer_size)
    with Progress():
        app = svc.create(resource_group_name, name, environment, image, container_name, cpu, memory, env_vars,
                         secrets, startup_command, args, revision_suffix, revisions_mode or "single", ingress,
                         target_port,
                         transport, _bool(allow_insecure), min_replicas, max_replicas, registry_server,
                         registry_username, registry_password, secret_volume_mount,
                         _scale_rule(scale_rule_name, scale_rule_type, scale_rule_http_concurrency,
                                     scale_rule_metadata, scale_rule_auth),
                         parse_tags(tags), exposed_port=exposed_port,
                         termination_grace_period=termination_grace_period,
                         workload_profile_name=workload_profile_name, registry_identity=registry_identity,
                         system_assigned=system_assigned, user_assigned=user_assigned, dapr=dapr)
    return svc.hide_env_values(app)


def app_update(name, resource_group_name, image=None, container_name=None, cpu=None, memory=None,
               set_env_vars=None, remove_env_vars=None, replace_env_vars=None, remove_all_env_vars=False,
               startup_command=None, args=None, revision_suffix=None, min_replicas=None, max_replicas=None,
               scale_rule_name=None, scale_rule_type=None, scale_rule_http_concurrency=None,
               scale_rule_metadata=None, scale_rule_auth=None, secret_volume_mount=None,
               termination_grace_period=None, workload_profile_name=None, tags=None, yaml=None, no_wait=False):
    from azlocal.core.common import Progress, parse_tags

    svc = _svc()
    with Progress():
        app = svc.update(resource_group_name, name, image, container_name, cpu, memory, set_env_vars,
                         remove_env_vars, replace_env_vars, remove_all_env_vars, startup_command, args, revision_suffix,
                         min_replicas, max_replicas,
                         _scale_rule(scale_rule_name, scale_rule_type, scale_rule_http_concurrency,
                                     scale_rule_metadata, scale_rule_auth),
                         parse_tags(tags), termination_grace_period=termination_grace_period,
                         workload_profile_name=workload_profile_name, secret_volume_mount=secret_volume_mount,
                         template_yaml=_read(yaml) if yaml else None)
    return svc.hide_env_values(app)


def app_show(name, resource_group_name, show_secrets=False):
    svc = _svc()
    app = svc.get(resource_group_name, name)
    return svc.with_secrets(app) if show_secrets else app


def app_list(resource_group_name=None, environment=None):
    return _svc().list_apps(resource_group_name, environment)


def app_delete(name, resource_group_name, no_wait=False):
    _svc().delete(resource_group_name, name)


def app_browse(name, resource_group_name):
    _svc().browse(resource_group_name, name)


def app_exec(name, resource_group_name, exec_command=None, container=None, replica=None, revision=None):
    _svc().exec_command(resource_group_name, name, exec_command or ["sh"], container, replica, revision)


def app_up(name, resource_group_name=None, location=None, environment=None, image=None, source=None, ingress=None,
           target_port=None, env_vars=None, registry_server=None, registry_username=None, registry_password=None,
           repo=None, branch=None, token=None, context_path=None, service_principal_client_id=None,
           service_principal_client_secret=None, service_principal_tenant_id=None, logs_workspace_id=None,
           logs_workspace_key=None, workload_profile_name=None, browse=False):
    from azlocal.aca import containerapp_up

    containerapp_up.up(name, resource_group_name, location, environment, image, source, ingress, target_port,
                       env_vars, registry_server, registry_username, registry_password, repo=repo,
                       github=(branch, token, context_path, service_principal_client_id,
                               service_principal_client_secret, service_principal_tenant_id),
                       logs_workspace_id=logs_workspace_id, logs_workspace_key=logs_workspace_key,
                       workload_profile_name=workload_profile_name, browse=browse)


def logs_show(name, resource_group_name, container=None, replica=None, revision=None, follow="false", tail=20,
              format="json", log_type="console"):
    _svc().logs_show(resource_group_name, name, container, replica, revision, _bool(follow), tail, format, log_type)


def env_create(name, resource_group_name, location=None, logs_destination="log-analytics", logs_workspace_id=None,
               logs_workspace_key=None, tags=None, no_wait=False, dapr_connection_string=None,
               instrumentation_key=None, certificate_file=None, certificate_password=None, hostname=None,
               docker_bridge_cidr=None, platform_reserved_cidr=None, platform_reserved_dns_ip=None,
               infrastructure_subnet_resource_id=None, infrastructure_resource_group=None, internal_only=None,
               zone_redundant=False, enable_workload_profiles=None, mtls_enabled=None, p2p_encryption_enabled=None,
               storage_account=None):
    from azlocal.aca import environments
    from azlocal.core.common import Progress, parse_tags

    with Progress():
        return environments.create(resource_group_name, name, location, parse_tags(tags), logs_destination,
                                   logs_workspace_id, options=dict(
                                       logs_key=logs_workspace_key, dapr_connection_string=dapr_connection_string,
                                       instrumentation_key=instrumentation_key, certificate_file=certificate_file,
                                       certificate_password=certificate_password, dns_suffix=hostname,
                                       docker_bridge_cidr=docker_bridge_cidr,
                                       platform_reserved_cidr=platform_reserved_cidr,
                                       platform_reserved_dns_ip=platform_reserved_dns_ip,
                                       subnet=infrastructure_subnet_resource_id,
                                       infrastructure_resource_group=infrastructure_resource_group,
                                       internal_only=_bool(internal_only), zone_redundant=zone_redundant,
                                       workload_profiles=_bool(enable_workload_profiles),
                                       mtls=_bool(mtls_enabled), p2p=_bool(p2p_encryption_enabled),
                                       storage_account=storage_account))


def env_show(name, resource_group_name):
    from azlocal.aca import environments

    return environments.get(resource_group_name, name)


def env_list(resource_group_name=None):
    from azlocal.aca import environments

    return environments.list_environments(resource_group_name)


def env_update(name, resource_group_name, tags=None, no_wait=False, logs_destination=None, logs_workspace_id=None,
               logs_workspace_key=None, dapr_connection_string=None, certificate_file=None,
               certificate_password=None, hostname=None, mtls_enabled=None, p2p_encryption_enabled=None,
               storage_account=None, workload_profile_name=None, workload_profile_type=None, min_nodes=None,
               max_nodes=None):
    from azlocal.aca import environments
    from azlocal.core.common import parse_tags

    return environments.update(resource_group_name, name, parse_tags(tags), options=dict(
        logs_destination=logs_destination, logs_workspace_id=logs_workspace_id, logs_key=logs_workspace_key,
        dapr_connection_string=dapr_connection_string, certificate_file=certificate_file,
        certificate_password=certificate_password, dns_suffix=hostname, mtls=_bool(mtls_enabled),
        p2p=_bool(p2p_encryption_enabled), storage_account=storage_account,
        workload_profile_name=workload_profile_name, workload_profile_type=workload_profile_type,
        min_nodes=min_nodes, max_nodes=max_nodes))


def env_delete(name, resource_group_name, no_wait=False):
    from azlocal.aca import environments

    environments.delete(resource_group_name, name)


def revision_list(name, resource_group_name, all_=False):
    return _svc().revision_list(resource_group_name, name, all_)


def revision_show(revision, resource_group_name, name=None):
    return _svc().revision_show(resource_group_name, name, revision)


def revision_activate(revision, resource_group_name, name=None):
    return _svc().revision_activate(resource_group_name, name, revision)


def revision_deactivate(revision, resource_group_name, name=None):
    return _svc().revision_deactivate(resource_group_name, name, revision)


def revision_restart(revision, resource_group_name, name=None):
    return _svc().revision_restart(resource_group_name, name, revision)


def revision_copy(resource_group_name, name=None, from_revision=None, image=None, container_name=None, cpu=None,
                  memory=None, set_env_vars=None, remove_env_vars=None, replace_env_vars=None,
                  remove_all_env_vars=False, startup_command=None, args=None, revision_suffix=None, min_replicas=None,
                  max_replicas=None, scale_rule_name=None, scale_rule_type=None, scale_rule_http_concurrency=None,
                  scale_rule_metadata=None, scale_rule_auth=None, workload_profile_name=None, tags=None,
                  yaml=None):
    from azlocal.core.common import parse_tags

    svc = _svc()
    app = svc.revision_copy(resource_group_name, name, from_revision, image=image, container_name=container_name,
                            cpu=cpu, memory=memory, set_env_vars=set_env_vars, remove_env_vars=remove_env_vars,
                            replace_env_vars=replace_env_vars, remove_all_env_vars=remove_all_env_vars,
                            command=startup_command, args=args, revision_suffix=revision_suffix,
                            min_replicas=min_replicas,
                            max_replicas=max_replicas,
                            scale_rule=_scale_rule(scale_rule_name, scale_rule_type, scale_rule_http_concurrency,
                                                   scale_rule_metadata, scale_rule_auth),
                            workload_profile_name=workload_profile_name, tags=parse_tags(tags),
                            template_yaml=_read(yaml) if yaml else None)
    return svc.hide_env_values(app)


def revision_set_mode(name, resource_group_name, mode):
    return _svc().revision_set_mode(resource_group_name, name, mode)


def label_add(revision, label, resource_group_name, name=None, yes=False):
    return _svc().label_add(resource_group_name, name, revision, label, yes)


def label_remove(name, resource_group_name, label):
    return _svc().label_remove(resource_group_name, name, label)


def label_swap(name, resource_group_name, source, target):
    return _svc().label_swap(resource_group_name, name, source, target)


def ingress_enable(name, resource_group_name, kind, target_port=None, transport="auto", allow_insecure=None,
                   exposed_port=None):
    return _svc().ingress_enable(resource_group_name, name, kind, target_port, transport, _bool(allow_insecure),
                                 exposed_port)


def ingress_disable(name, resource_group_name):
    _svc().ingress_disable(resource_group_name, name)


def ingress_update(name, resource_group_name, kind=None, target_port=None, transport=None, allow_insecure=None,
                   exposed_port=None):
    return _svc().ingress_update(resource_group_name, name, kind, target_port, transport, _bool(allow_insecure),
                                 exposed_port)


def ingress_show(name, resource_group_name):
    return _svc().ingress_show(resource_group_name, name)


def traffic_set(name, resource_group_name, revision_weight=None, label_weight=None):
    return _svc().traffic_set(resource_group_name, name, revision_weight, label_weight)


def traffic_show(name, resource_group_name):
    return _svc().traffic_show(resource_group_name, name)


def secret_list(name, resource_group_name, show_values=False):
    return _svc().secret_list(resource_group_name, name, show_values)


def secret_show(name, resource_group_name, secret_name):
    return _svc().secret_show(resource_group_name, name, secret_name)


def secret_set(name, resource_group_name, secrets):
    return _svc().secret_set(resource_group_name, name, secrets)


def secret_remove(name, resource_group_name, secret_names):
    return _svc().secret_remove(resource_group_name, name, secret_names)


def replica_list(name, resource_group_name, revision=None):
    return _svc().replica_list(resource_group_name, name, revision)


def replica_show(name, resource_group_name, replica, revision=None):
    return _svc().replica_show(resource_group_name, name, replica, revision)


def registry_set(name, resource_group_name, server, username=None, password=None, identity=None):
    return _svc().registry_set(resource_group_name, name, server, username, password, identity)


def registry_list(name, resource_group_name):
    return _svc().registry_list(resource_group_name, name)


def registry_show(name, resource_group_name, server):
    return _svc().registry_show(resource_group_name, name, server)


def registry_remove(name, resource_group_name, server):
    return _svc().registry_remove(resource_group_name, name, server)


def dapr_enable(name, resource_group_name, dapr_app_id=None, dapr_app_port=None, dapr_app_protocol=None,
                dapr_log_level=None, dapr_enable_api_logging=False, dapr_http_max_request_size=None,
                dapr_http_read_buffer_size=None):
    return _svc().dapr_set(resource_group_name, name, True, dapr_app_id, dapr_app_port, dapr_app_protocol,
                           dapr_log_level, dapr_enable_api_logging or None, dapr_http_max_request_size,
                           dapr_http_read_buffer_size)


def dapr_disable(name, resource_group_name):
    return _svc().dapr_set(resource_group_name, name, False)
