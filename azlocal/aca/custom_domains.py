"""Handlers of az containerapp hostname, ssl upload, env certificate, env http-route-config and
show-custom-domain-verification-id: each turns the arguments into one service call (the signatures are the
commands' arguments; behaviour in hostnames, certificates and http_routes)."""

from azlocal.aca import certificates, hostnames, http_routes


def hostname_add(resource_group_name, name, hostname, location=None):
    return hostnames.add(resource_group_name, name, hostname, location)


def hostname_bind(resource_group_name, name, hostname, thumbprint=None, certificate=None, location=None,
                  environment=None, validation_method=None):
    return hostnames.bind(resource_group_name, name, hostname, thumbprint, certificate, location, environment,
                          validation_method)


def hostname_list(resource_group_name, name, location=None):
    return hostnames.list_domains(resource_group_name, name, location)


def hostname_delete(resource_group_name, name, hostname, location=None):
    return hostnames.delete(resource_group_name, name, hostname, location)


def ssl_upload(resource_group_name, name, environment, certificate_file, hostname, certificate_password=None,
               certificate_name=None, location=None):
    return hostnames.ssl_upload(resource_group_name, name, environment, certificate_file, hostname,
                                certificate_password, certificate_name, location)


def show_verification_id():
    return hostnames.verification_id()


def certificate_upload(name, resource_group_name, certificate_file, certificate_name=None, certificate_password=None,
                       location=None, prompt=False):
    confirm = None
    if prompt:
        from knack.prompting import prompt_y_n

        confirm = prompt_y_n
    return certificates.upload(resource_group_name, name, certificate_file, certificate_name, certificate_password,
                               location, confirm=confirm)


def certificate_create(name, resource_group_name, hostname, validation_method, certificate_name=None):
    return certificates.create_managed(resource_group_name, name, hostname, validation_method, certificate_name)


def certificate_list(name, resource_group_name, location=None, certificate=None, thumbprint=None,
                     managed_certificates_only=False, private_key_certificates_only=False):
    from azlocal.aca import environments

    env = environments.get(resource_group_name, name)
    return certificates.find(env, certificate, thumbprint, location, managed_certificates_only,
                             private_key_certificates_only)


def certificate_delete(resource_group_name, name, location=None, certificate=None, thumbprint=None):
    certificates.delete(resource_group_name, name, certificate, thumbprint, location)


def route_create(resource_group_name, name, http_route_config_name, yaml):
    return http_routes.create(resource_group_name, name, http_route_config_name, yaml)


def route_update(resource_group_name, name, http_route_config_name, yaml):
    return http_routes.update(resource_group_name, name, http_route_config_name, yaml)


def route_list(resource_group_name, name):
    return http_routes.list_configs(resource_group_name, name)


def route_show(resource_group_name, name, http_route_config_name):
    return http_routes.show(resource_group_name, name, http_route_config_name)


def route_delete(resource_group_name, name, http_route_config_name):
    http_routes.delete(resource_group_name, name, http_route_config_name)
