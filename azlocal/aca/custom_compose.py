"""Handler of az containerapp compose create: the arguments into one call of compose_deploy, with the
questions az asks (an empty environment value, one of several ports, registry credentials) put to the
user here, on a terminal only."""


def _ask(kind, message, options=None):
    """compose's `ask`: 'text' and 'password' return the answer, 'choice' the index of the option chosen."""
    from knack.prompting import NoTTYException, prompt, prompt_choice_list, prompt_pass

    from azlocal.core.errors import AzLocalError

    try:
        if kind == "choice":
            return prompt_choice_list(message, options)
        if kind == "password":
            return prompt_pass(message)
        return prompt(message)
    except NoTTYException:
        raise AzLocalError(f"Unable to prompt for '{message.strip()}': no tty available. Give the value in the "
                           "compose file or as an argument.") from None


def compose_create(resource_group_name, managed_env, compose_file_path="./docker-compose.yml", registry_server=None,
                   registry_user=None, registry_pass=None, transport_mapping=None, location=None, tags=None):
    from azlocal.aca import compose_deploy
    from azlocal.core.common import parse_tags

    return compose_deploy.create(resource_group_name, managed_env, compose_file_path,
                                 registry_server=registry_server, registry_username=registry_user,
                                 registry_password=registry_pass, transport_mapping=transport_mapping,
                                 location=location, tags=parse_tags(tags), ask=_ask)
