"""az identity: thin handlers over azlocal.identity.identities and .federated (one call each)."""

from azlocal.core.errors import AzLocalError


def _name(resource_name, resource_group_name):
    if not resource_name:
        raise AzLocalError("(--name | --ids) are required")
    if not resource_group_name:
        raise AzLocalError("(--resource-group | --ids) are required")
    return resource_group_name, resource_name


def identity_create(resource_group_name, resource_name, location=None, tags=None, isolation_scope=None,
                    assignment_restrictions=None):
    from azlocal.identity import identities

    return identities.create(resource_group_name, resource_name, location, tags, isolation_scope,
                             assignment_restrictions)


def identity_show(resource_group_name=None, resource_name=None):
    from azlocal.identity import identities

    return identities.get(*_name(resource_name, resource_group_name))


def identity_list(resource_group_name=None, pagination_limit=None, pagination_token=None):
    from azlocal.identity import identities

    rows = identities.list_identities(resource_group_name)
    return rows[:int(pagination_limit)] if pagination_limit else rows


def identity_update(resource_group_name=None, resource_name=None, tags=None, isolation_scope=None,
                    assignment_restrictions=None, set_=None, add=None, remove=None, force_string=False):
    from azlocal.identity import identities

    return identities.update(*_name(resource_name, resource_group_name), tags=tags, isolation_scope=isolation_scope,
                             resource_restriction=assignment_restrictions, set_=set_, add=add, remove=remove,
                             force_string=force_string)


def identity_delete(resource_group_name=None, resource_name=None):
    from azlocal.identity import identities

    identities.delete(*_name(resource_name, resource_group_name))


def identity_list_resources(resource_group_name=None, resource_name=None):
    from azlocal.identity import identities

    return identities.list_resources(*_name(resource_name, resource_group_name))


def identity_list_operations():
    from azlocal.identity import identities

    return identities.list_operations()


def fic_create(resource_group_name, identity_name, name, issuer=None, subject=None, audiences=None,
               claims_matching_expression_value=None, claims_matching_expression_version=None):
    from azlocal.identity import federated

    return federated.create(resource_group_name, identity_name, name, issuer, subject, audiences,
                            claims_matching_expression_value, claims_matching_expression_version)


def fic_show(resource_group_name, identity_name, name):
    from azlocal.identity import federated

    return federated.get(resource_group_name, identity_name, name)


def fic_list(resource_group_name, identity_name, top=None, skiptoken=None, pagination_limit=None,
             pagination_token=None):
    from azlocal.identity import federated

    return federated.list_credentials(resource_group_name, identity_name, top)


def fic_update(resource_group_name, identity_name, name, issuer=None, subject=None, audiences=None,
               claims_matching_expression_value=None, claims_matching_expression_version=None, set_=None, add=None,
               remove=None, force_string=False):
    from azlocal.identity import federated

    return federated.update(resource_group_name, identity_name, name, issuer, subject, audiences,
                            claims_matching_expression_value, claims_matching_expression_version, set_=set_,
                            add=add, remove=remove, force_string=force_string)


def fic_delete(resource_group_name, identity_name, name, yes=False):
    from azlocal.identity import federated

    federated.delete(resource_group_name, identity_name, name)
