"""az ad sp: handlers over azlocal.role.service_principals (and azlocal.role.assignments for --role/--scopes),
checking the arguments as az does."""

from knack.log import get_logger

from azlocal.core.errors import ValidationError
from azlocal.role import service_principals

logger = get_logger(__name__)

CREDENTIAL_WARNING = (
    "The output includes credentials that you must protect. Be sure that you do not include these credentials in "
    "your code or check the credentials into your source control. For more information, see https://aka.ms/azadsp-cli")
_NO_CERT = ("Certificate credentials (--cert, --create-cert, --keyvault) are not available offline: azlocal's "
            "service principals sign in with passwords.")


def sp_create_for_rbac(display_name=None, service_management_reference=None, create_password=True, years=None,
                       create_cert=False, cert=None, scopes=None, role=None, show_auth_in_json=None,
                       skip_assignment=False, keyvault=None):  # --skip-assignment: a no-op, as in az
    from azlocal.role import assignments, definitions
    from azlocal.role import scopes as scope_rules

    if role and not scopes or not role and scopes:
        raise ValidationError("Usage error: To create role assignments, specify both --role and --scopes.")
    if cert or create_cert or keyvault:
        raise ValidationError(_NO_CERT)
    for scope in scopes or []:  # nothing is made when a role or scope is wrong
        definitions.resolve(role)
        scope_rules.require(scope_rules.build(None, scope))
    doc, password = service_principals.create_for_rbac(display_name, create_password is not False, years)
    for scope in scopes or []:
        logger.warning("Creating '%s' role assignment under scope '%s'", role, scope)
        _, created = assignments.put(role, doc["id"], scope, "ServicePrincipal", check_caller=True)
        if not created:
            logger.warning("  Role assignment already exists.\n")
    if password:
        logger.warning(CREDENTIAL_WARNING)
    if show_auth_in_json:
        import json

        from azlocal.core import settings

        print(json.dumps({"clientId": doc["appId"], "clientSecret": password,
                          "subscriptionId": settings.SUBSCRIPTION_ID, "tenantId": settings.TENANT_ID,
                          "activeDirectoryEndpointUrl": "https://login.microsoftonline.com",
                          "resourceManagerEndpointUrl": "https://management.azure.com/",
                          "activeDirectoryGraphResourceId": "https://graph.windows.net/",
                          "sqlManagementEndpointUrl": "https://management.core.windows.net:8443/",
                          "galleryEndpointUrl": "https://gallery.azure.com/",
                          "managementEndpointUrl": "https://management.core.windows.net/"}, indent=2))
        return None
    return {"appId": doc["appId"], "password": password, "displayName": doc["displayName"],
            "tenant": doc["appOwnerOrganizationId"]}


def sp_list(spn=None, display_name=None, query_filter=None, show_mine=None, include_all=None):
    if query_filter:
        raise ValidationError("--filter is not available offline: use --display-name or --spn.")
    return service_principals.list_(spn=spn, display_name=display_name)


def sp_show(identifier):
    return service_principals.show(identifier)


def sp_delete(identifier):
    service_principals.delete(identifier)


def sp_credential_list(identifier, cert=False):
    doc = service_principals.show(identifier)
    return doc["keyCredentials"] if cert else doc["passwordCredentials"]


def sp_credential_reset(identifier, create_cert=False, cert=None, years=None, end_date=None, keyvault=None,
                        append=False, display_name=None):
    if cert or create_cert or keyvault:
        raise ValidationError(_NO_CERT)
    result = service_principals.reset_credential(identifier, append=append, years=years, end_date=end_date,
                                                 display_name=display_name)
    logger.warning(CREDENTIAL_WARNING)
    return result
