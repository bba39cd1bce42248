"""The `az container create` options beyond the basic container: what each does on Docker, or why not.

`apply(definition, options)` adds them to a definition made by `definition_from_args`, in ACI's
YAML shape, after az's own usage checks. Each option either does the real thing on Docker
(zones / priority / SKU recorded as Azure records them; the Confidential SKU's security context
applied by Docker; config maps as files; git repo volumes cloned), is recorded with a warning that
says it has no effect offline (Log Analytics, CCE policy), or is
refused with the reason (virtual networks, standby pools).
"""

import base64
import binascii
import json

from knack.log import get_logger

from azlocal.core.errors import AzLocalError, ValidationError

logger = get_logger(__name__)

SKUS = ("Standard", "Dedicated", "Confidential")
PRIORITIES = ("Regular", "Spot")
SYSTEM_IDENTITY = "[system]"
DEFAULT_IDENTITY_ROLE = "Contributor"  # az container create's --role default
# What Azure puts in ccePolicy when none is given: a permissive (allow-all) policy, base64 encoded.
DEFAULT_CCE_POLICY = base64.b64encode(b"package policy\n\napi_svn := \"0.10.0\"\n\n"
                                      b"mount_device := {\"allowed\": true}\nmount_overlay := {\"allowed\": true}\n"
                                      b"create_container := {\"allowed\": true}\nexec_in_container := "
                                      b"{\"allowed\": true}\n").decode()
CONFIDENTIAL_ONLY = ("privileged", "allow_privilege_escalation", "run_as_user", "run_as_group", "seccomp_profile",
                     "add_capabilities", "drop_capabilities", "cce_policy")
GITREPO_VOLUME = "gitrepo"


def canonical(value, allowed, what, code):
    """Azure's enums are case-insensitive; the stored value is the canonical spelling."""
    if value is None:
        return None
    for v in allowed:
        if v.lower() == str(value).lower():
            return v
    raise ValidationError(f"({code}) The {what} '{value}' is not valid. Allowed values: {', '.join(allowed)}.")


def check_usage(o):
    """az's own usage checks, before anything is built (its argument validators)."""
    if o.get("vnet_name") and not o.get("vnet"):
        o["vnet"] = o["vnet_name"]
    if o.get("subnet") or o.get("vnet"):
        subnet = o.get("subnet") or ""
        if not subnet.lower().startswith("/subscriptions/") and (bool(o.get("vnet")) != bool(subnet)):
            raise ValidationError("usage error: --vnet NAME --subnet NAME | --vnet ID --subnet NAME | --subnet ID")
        if o.get("ip_address") == "Public":
            raise ValidationError('Can not use "--subnet" or "--vnet" with IP address type "Public".')
        if o.get("dns_name_label"):
            raise ValidationError('Can not use "--subnet" or "--vnet" with "--dns-name-label".')
    if o.get("assign_identity") is not None:
        if o.get("identity_role") is not None and not o.get("identity_scope"):
            raise ValidationError(f"usage error: '--role {o['identity_role']}' is not applicable as the '--scope' is "
                                  "not provided")
        if o.get("identity_scope") and o["assign_identity"] and SYSTEM_IDENTITY not in o["assign_identity"]:
            raise ValidationError("usage error: '--scope'/'--role' is only applicable when assign system identity")
    elif o.get("identity_scope") or o.get("identity_role") is not None:
        raise ValidationError("usage error: --assign-identity [--scope SCOPE] [--role ROLE]")
    if o.get("gitrepo_dir") and ".." in o["gitrepo_dir"]:
        raise ValidationError("The git repo directory cannot contain '..'")
    if o.get("log_analytics_workspace_key") and not o.get("log_analytics_workspace"):
        raise ValidationError('"--log-analytics-workspace-key" requires "--log-analytics-workspace".')
    if o.get("gitrepo_mount_path") and not o.get("gitrepo_url"):
        raise ValidationError("Please specify --gitrepo-url (--gitrepo-dir --gitrepo-revision) to enable Git Repo "
                              "volume mount.")


def refuse_unavailable(o):
    """What needs a service azlocal does not have: refused with the reason, before anything is made."""
    if o.get("subnet") or o.get("vnet"):
        raise AzLocalError("A container group in a virtual network (--vnet/--subnet) needs Azure Virtual Network, "
                           "which azlocal does not emulate: leave out --vnet/--subnet (the group gets its own "
                           "loopback address).")
    if o.get("standby_pool_profile_id"):
        raise AzLocalError(f"The standby pool '{o['standby_pool_profile_id']}' cannot be used: azlocal does not "
                           "emulate standby pools (Microsoft.StandbyPool).")


def apply(definition, o):
    """Adds the options to a definition from flags (one container)."""
    check_usage(o)
    refuse_unavailable(o)
    props = definition["properties"]
    container = props["containers"][0]["properties"]
    definition["tags"] = {}  # as az sends them from flags
    if o.get("zone"):
        definition["zones"] = [str(o["zone"])]
    props["priority"] = canonical(o.get("priority"), PRIORITIES, "priority", "InvalidContainerGroupPriority")
    sku = canonical(o.get("sku"), SKUS, "SKU", "InvalidContainerGroupSku")
    if sku:
        props["sku"] = sku
    if sku == "Confidential":
        props["confidentialComputeProperties"] = {"ccePolicy": (o.get("cce_policy") if o.get("sku") == sku else None)
                                                  or DEFAULT_CCE_POLICY}
    if o.get("sku") == "Confidential":
        # az sends the security context and the CCE policy only for `--sku Confidential` spelled so
        container["securityContext"] = security_context(o)
    else:
        given = [name for name in CONFIDENTIAL_ONLY if o.get(name)]
        if given:
            shown = ", ".join("--" + ("allow-escalation" if n == "allow_privilege_escalation" else
                                      n.replace("_", "-")) for n in given)
            logger.warning("%s apply only with --sku Confidential (as in Azure): ignored for SKU '%s'.", shown,
                           o.get("sku") or "Standard")
    if o.get("config_map"):
        container["configMap"] = {"keyValuePairs": pairs(o["config_map"], "config map")}
        logger.warning("Config maps are recorded on the container (configMap) and not delivered into it offline: "
                       "use --environment-variables or --secrets to pass values.")
    if o.get("gitrepo_url"):
        props["volumes"].append({"name": GITREPO_VOLUME, "gitRepo": {
            "repository": o["gitrepo_url"], "directory": o.get("gitrepo_dir") or ".",
            "revision": o.get("gitrepo_revision")}})
        if o.get("gitrepo_mount_path"):
            container["volumeMounts"].append({"name": GITREPO_VOLUME, "mountPath": o["gitrepo_mount_path"]})
    if o.get("log_analytics_workspace"):
        props["diagnostics"] = {"logAnalytics": {"workspaceId": o["log_analytics_workspace"],
                                                 "workspaceKey": o.get("log_analytics_workspace_key")}}
        logger.warning("Log Analytics is not emulated yet: the workspace '%s' is recorded in diagnostics and no "
                       "logs are sent to it.", o["log_analytics_workspace"])
    if o.get("assign_identity") is not None:
        check_role_assignment(o)
        definition["identity"] = identity(o["assign_identity"])  # its containers get tokens from IMDS
    if o.get("acr_identity"):
        creds = props["imageRegistryCredentials"]
        if not creds:
            server = (container["image"] or "").split("/")[0]
            if "." not in server:
                raise ValidationError("Failed to parse login server from image name; please explicitly specify "
                                      "--registry-server.")
            creds.append({"server": server, "username": o.get("registry_username"),
                          "password": o.get("registry_password")})
        for c in creds:
            c["identity"] = o["acr_identity"]  # images of it are pulled as that identity (registry_identity)
    return definition


def security_context(o):
    """The Confidential SKU's security context, as Azure shows it; Docker applies it (see docker_security)."""
    seccomp = o.get("seccomp_profile")
    if seccomp:
        try:
            json.loads(base64.b64decode(seccomp, validate=True))
        except (binascii.Error, ValueError) as ex:
            raise ValidationError("The seccomp profile must be the base64 encoding of a JSON seccomp profile.") from ex
    return {"allowPrivilegeEscalation": bool(o.get("allow_privilege_escalation")),
            "capabilities": {"add": o.get("add_capabilities"), "drop": o.get("drop_capabilities")},
            "privileged": bool(o.get("privileged")),
            "runAsGroup": _int_or_none(o.get("run_as_group"), "--run-as-group"),
            "runAsUser": _int_or_none(o.get("run_as_user"), "--run-as-user"),
            "seccompProfile": seccomp}


def docker_security(context, unprivileged=False):
    """A security context as Docker's create arguments."""
    if not context:
        return {}
    out = {}
    if context.get("privileged") and not unprivileged:
        out["privileged"] = True
    opts = []
    if context.get("allowPrivilegeEscalation") is False:
        opts.append("no-new-privileges:true")
    if context.get("seccompProfile"):
        opts.append("seccomp=" + base64.b64decode(context["seccompProfile"]).decode())
    if opts:
        out["security_opt"] = opts
    caps = context.get("capabilities") or {}
    if caps.get("add"):
        out["cap_add"] = list(caps["add"])
    if caps.get("drop"):
        out["cap_drop"] = list(caps["drop"])
    user, group = context.get("runAsUser"), context.get("runAsGroup")
    if user is not None or group is not None:
        out["user"] = f"{user if user is not None else 0}" + (f":{group}" if group is not None else "")
    return out


def _int_or_none(value, option):
    if value is None:
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValidationError(f"{option} must be a numeric id, got '{value}'.") from None


def pairs(items, what):
    result = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep:
            raise ValidationError(f"Incorrectly formatted {what} key-value pairs. Argument values should be in the "
                                  "format a=b c=d")
        result[key] = value
    return result


def identity(assigned, existing=None, target=None, resolve=False):
    """The group's identity for `--assign-identity` ([] or "[system]": the system-assigned one, else resource
    ids), in the shape Azure shows. With `resolve` (as the group is created: `identity_block`), each
    user-assigned identity shows its own ids (one that does not exist is refused, worded for `target`) and the
    system identity keeps the principal of `existing` (a redeploy) or gets a new one."""
    from azlocal.core import settings
    from azlocal.identity import principals

    assigned = assigned or []
    system = not assigned or SYSTEM_IDENTITY in assigned
    wanted = [x for x in assigned if x != SYSTEM_IDENTITY]
    users = (principals.user_entries(wanted, target) if resolve else
             {u: {"clientId": None, "principalId": None} for u in wanted})
    kind = ", ".join(([("SystemAssigned")] if system else []) + (["UserAssigned"] if users else []))
    kept = (existing or {}).get("principalId") if "SystemAssigned" in str((existing or {}).get("type")) else None
    doc = {"principalId": (kept or principals.new_system_principal()) if system else None,
           "tenantId": settings.TENANT_ID, "type": kind,  # ACI shows the tenant for a user-assigned one too
           "userAssignedIdentities": users or None}
    return doc


def identity_block(block, existing=None, target=None):
    """A definition's identity block (from flags, a YAML file or a redeploy) as the group shows it: the type
    as Azure spells it, the identities' own ids; None for no identity. A YAML block names user-assigned
    identities under `userAssignedIdentities` or `user_assigned_identities` (as `export` writes them)."""
    if not block:
        return None
    if not isinstance(block, dict):
        raise ValidationError("The identity of a container group is an object (type, userAssignedIdentities).")
    kind = str(block.get("type") or "None").replace(" ", "").replace("_", "").lower()
    users = block.get("userAssignedIdentities") or block.get("user_assigned_identities") or {}
    if not isinstance(users, dict):
        raise ValidationError("userAssignedIdentities of a container group's identity is an object keyed by the "
                              "identities' resource ids.")
    if kind not in ("none", "systemassigned", "userassigned", "systemassigned,userassigned"):
        raise ValidationError(f"(InvalidIdentityType) The identity type '{block.get('type')}' is not valid: use "
                              "'SystemAssigned', 'UserAssigned', 'SystemAssigned, UserAssigned' or 'None'.")
    if kind == "none":
        return None
    if "userassigned" in kind and not users:
        raise ValidationError("(BadRequest) The identity type 'UserAssigned' needs userAssignedIdentities.")
    assigned = ([SYSTEM_IDENTITY] if "systemassigned" in kind else []) + list(users)
    return identity(assigned, existing, target, resolve=True)


def check_role_assignment(o):
    """--scope/--role of `create --assign-identity`: the role and the scope must exist before anything is made."""
    if not o.get("identity_scope"):
        return
    from azlocal.role import definitions, scopes

    definitions.resolve(o.get("identity_role") or DEFAULT_IDENTITY_ROLE)
    if not scopes.is_valid_form(o["identity_scope"]) and o["identity_scope"].lower().startswith("/subscriptions/"):
        raise ValidationError("Invalid scope. Please use --help to view the valid format.")
    scopes.require(o["identity_scope"])


def assign_role(group_doc, scope, role=None):
    """The role assignment az makes after creating the group: the group's system identity gets `role`
    (Contributor when not given) at `scope`."""
    if not scope:
        return None
    from azlocal.role import assignments

    principal = ((group_doc or {}).get("identity") or {}).get("principalId")
    if not principal:
        return None
    return assignments.create(role or DEFAULT_IDENTITY_ROLE, principal, scope, principal_type="ServicePrincipal")
