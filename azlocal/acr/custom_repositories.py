"""Handlers of az acr login, az acr repository and az acr manifest: service calls, with the confirmations
and the plain-text output (docker's login message, a raw manifest) done here."""

from knack.log import get_logger

from azlocal.acr import repositories
from azlocal.acr._console import print_line
from azlocal.core.console import require_confirmation
from azlocal.core.conventions import as_bool

logger = get_logger(__name__)


def _confirmed(deletion, yes):
    """Asks before a deletion (with --yes, says what it deletes when there is a note), then deletes."""
    if yes and deletion.note:
        logger.warning(deletion.note)
    require_confirmation(deletion.question, yes)
    return deletion.run()


def _first(values):
    """As az: of the positional specifiers, the first is used."""
    return values[0] if values else None


def acr_login(registry_name, resource_group_name=None, expose_token=False, username=None, password=None,
              suffix=None, endpoint=None):
    if expose_token:
        return repositories.login_token(registry_name, username, password, endpoint)
    print_line(repositories.docker_login(registry_name, username, password, endpoint))


def manifest_list_metadata(registry_name=None, name=None, repo_id=None, orderby=None, top=None, username=None,
                           password=None, suffix=None):
    return repositories.manifest_list_metadata(registry_name, name, _first(repo_id), orderby=orderby, top=top,
                                               username=username, password=password)


def manifest_show(registry_name=None, name=None, manifest_id=None, raw=False, username=None, password=None,
                  suffix=None):
    manifest = repositories.manifest_show(registry_name, name, _first(manifest_id), raw=raw, username=username,
                                          password=password)
    if not raw:
        return manifest
    print_line(manifest)


def manifest_delete(registry_name=None, name=None, manifest_id=None, yes=False, username=None, password=None,
                    suffix=None):
    _confirmed(repositories.manifest_deletion(registry_name, name, _first(manifest_id), username, password), yes)


def repository_list(registry_name, top=None, username=None, password=None, suffix=None, resource_group_name=None):
    return repositories.list_repositories(registry_name, top, username, password)


def repository_show_tags(registry_name, repository, detail=False, orderby=None, top=None, username=None,
                         password=None, suffix=None, resource_group_name=None):
    return repositories.show_tags(registry_name, repository, detail=detail, orderby=orderby, top=top,
                                  username=username, password=password)


def repository_show_manifests(registry_name, repository, detail=False, orderby=None, top=None, username=None,
                              password=None, suffix=None, resource_group_name=None):
    logger.warning("This command has been deprecated and will be removed in a future release. "
                   "Use 'acr manifest list-metadata' instead.")
    return repositories.show_manifests(registry_name, repository, detail=detail, orderby=orderby, top=top,
                                       username=username, password=password)


def repository_show(registry_name, image=None, repository=None, username=None, password=None, suffix=None,
                    resource_group_name=None):
    return repositories.show(registry_name, image, repository, username, password)


def repository_update(registry_name, image=None, repository=None, delete_enabled=None, list_enabled=None,
                      read_enabled=None, write_enabled=None, username=None, password=None, suffix=None,
                      resource_group_name=None):
    return repositories.update(registry_name, image, repository, delete_enabled=as_bool(delete_enabled),
                               list_enabled=as_bool(list_enabled), read_enabled=as_bool(read_enabled),
                               write_enabled=as_bool(write_enabled), username=username, password=password)


def repository_delete(registry_name, image=None, repository=None, yes=False, username=None, password=None,
                      suffix=None, resource_group_name=None):
    return _confirmed(repositories.deletion(registry_name, image, repository, username, password), yes)


def repository_untag(registry_name, image, username=None, password=None, suffix=None, resource_group_name=None):
    repositories.untag(registry_name, image, username, password)
