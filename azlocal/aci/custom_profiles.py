"""az container container-group-profile: the handlers (a few lines each; the behaviour is in profiles.py)."""

from azlocal.aci.commands import _CREATE_OPTIONS, _FLAG_NAMES, definition_from_flags


def profile_create(resource_group_name, name=None, image=None, location=None, cpu=None, memory=None, config_map=None,
                   restart_policy=None, ports=None, protocol=None, os_type=None, ip_address=None, command_line=None,
                   environment_variables=None, secure_environment_variables=None, registry_login_server=None,
                   registry_username=None, registry_password=None, azure_file_volume_share_name=None,
                   azure_file_volume_account_name=None, azure_file_volume_account_key=None,
                   azure_file_volume_mount_path=None, log_analytics_workspace=None, log_analytics_workspace_key=None,
                   gitrepo_url=None, gitrepo_dir=None, gitrepo_revision=None, gitrepo_mount_path=None, secrets=None,
                   secrets_mount_path=None, file=None, no_wait=False, acr_identity=None, zone=None, priority=None,
                   sku=None, cce_policy=None, add_capabilities=None, drop_capabilities=None, privileged=False,
                   allow_privilege_escalation=False, run_as_group=None, run_as_user=None, seccomp_profile=None):
    from azlocal.aci import profiles
    from azlocal.aci.commands import definition_from_file
    from azlocal.core.errors import ValidationError

    options = {n: v for n, v in locals().items() if n in _CREATE_OPTIONS}
    flags = {n: v for n, v in locals().items() if n in _FLAG_NAMES}
    if file:
        definition = definition_from_file(file, name)
    else:
        if name and not image:
            raise ValidationError("error: the --image argument is required unless specified with a passed in file.")
        definition = definition_from_flags(name, flags, options)
    return profiles.create(resource_group_name, definition, location)


def profile_show(resource_group_name, name):
    from azlocal.aci import profiles

    return profiles.show(resource_group_name, name)


def profile_list(resource_group_name=None):
    from azlocal.aci import profiles

    return profiles.list_profiles(resource_group_name)


def profile_delete(resource_group_name, name):
    from azlocal.aci import profiles

    profiles.delete(resource_group_name, name)


def profile_list_revisions(resource_group_name, name):
    from azlocal.aci import profiles

    return profiles.list_revisions(resource_group_name, name)


def profile_show_revision(resource_group_name, name, revision):
    from azlocal.aci import profiles

    return profiles.show_revision(resource_group_name, name, revision)
