"""Arguments of az containerapp (options, arity, choices, as az 2.91 declares them)."""

from knack.arguments import ArgumentsContext, CLIArgumentType

from azlocal.core.conventions import enum_type, three_state_flag

name_type = CLIArgumentType(options_list=["--name", "-n"], help="The name of the Containerapp.")
bool_type = three_state_flag()


def load_arguments(loader, command):
    _app_arguments(loader)
    _app_config_arguments(loader)
    _up_arguments(loader)
    _env_arguments(loader)
    _label_arguments(loader)


def _label_arguments(loader):
    with ArgumentsContext(loader, "containerapp revision label add") as c:
        c.argument("yes", options_list=["--no-prompt", "--yes", "-y"], action="store_true",
                   help="Do not prompt to move a label that is on another revision.")


def _app_arguments(loader):
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


def _app_config_arguments(loader):
    with ArgumentsContext(loader, "containerapp") as c:
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


def _up_arguments(loader):
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


def _env_arguments(loader):
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
