"""az storage container|blob: thin handlers over azlocal.storage.blobstore (no HTTP: the CLI reads and writes
the account's store directly, after the same credential checks the data plane makes)."""

from urllib.parse import quote, unquote, urlparse

from knack.log import get_logger

from azlocal.core.errors import ValidationError
from azlocal.core.parsing import pairs_dict
from azlocal.storage import _listing, blobviews
from azlocal.storage.storage_errors import StorageError

logger = get_logger(__name__)


def open_store(kwargs, needs, container=None, blob=None):
    """(access, BlobStore) once the account arguments in `kwargs` are allowed to do `needs` there."""
    from azlocal.storage import _params, accounts, sas
    from azlocal.storage.blobstore import BlobStore

    access = _params.access(kwargs, needs)
    store = BlobStore(access.account)
    if access.kind == "sas":
        policies = None
        if access.sas.get("si") and container and store.container_exists(container):
            policies = store.container(container)["acl"]
        sas.check(access.account, access.sas, needs, resource=(container, blob) if container else None,
                  policies=policies)
    access.doc = accounts.find(access.account)
    return access, store


def _metadata_dict(items):
    return pairs_dict(items, error=lambda item: f"usage error: metadata must be key=value, not '{item}'") \
        if items else {}


def since(value):
    """--if-(un)modified-since (YYYY-MM-DDThh:mm[:ss]Z or a date) -> epoch seconds."""
    if not value:
        return None
    from azlocal.storage.sas import _time

    try:
        return _time(value).timestamp()
    except StorageError:
        raise ValidationError(f"usage error: '{value}' is not a time of the form YYYY-MM-DDThh:mm:ssZ.") from None


def conditions(if_match=None, if_none_match=None, if_modified_since=None, if_unmodified_since=None, **_):
    out = {"if_match": if_match, "if_none_match": if_none_match, "if_modified_since": since(if_modified_since),
           "if_unmodified_since": since(if_unmodified_since)}
    return {k: v for k, v in out.items() if v is not None} or None


def blob_endpoint(account):
    return f"https://{account}.blob.core.windows.net"


def blob_url_of(account, container, blob):
    return f"{blob_endpoint(account)}/{container}/{quote(blob, safe='/~')}"


def split_blob_url(kwargs, blob_url, container_name, blob_name):
    """--blob-url -> (container, blob), its account and SAS carried into the credentials."""
    if not blob_url:
        if not container_name or not blob_name:
            raise ValidationError("usage error: specify --blob-url, or --container-name and --name.")
        return container_name, blob_name
    parsed = urlparse(blob_url)
    container, _, blob = unquote(parsed.path).lstrip("/").partition("/")
    if not container or not blob:
        raise ValidationError(f"usage error: '{blob_url}' is not the URL of a blob.")
    kwargs["account_url"] = kwargs.get("account_url") or f"{parsed.scheme}://{parsed.netloc}"
    if parsed.query and not kwargs.get("sas_token") and not kwargs.get("account_key"):
        kwargs["sas_token"] = parsed.query
    return container, blob


def _check_public(access, level):
    if level in ("blob", "container") and not (access.doc or {}).get("allowBlobPublicAccess"):
        raise StorageError("PublicAccessNotPermitted")


# containers ---------------------------------------------------------------------------------------

def container_create(container_name, metadata=None, public_access=None, fail_on_exist=False, timeout=None,
                     default_encryption_scope=None, prevent_encryption_scope_override=None, resource_group_name=None,
                     **kwargs):
    access, store = open_store(kwargs, ("c", "c"), container_name)
    level = None if public_access in (None, "off") else public_access
    _check_public(access, level)
    try:
        store.create_container(container_name, _metadata_dict(metadata), level)
    except StorageError as ex:
        if ex.code == "ContainerAlreadyExists" and not fail_on_exist:
            return {"created": False}
        raise
    return {"created": True}


def container_delete(container_name, fail_not_exist=False, lease_id=None, if_modified_since=None,
                     if_unmodified_since=None, timeout=None, bypass_immutability_policy=False, **kwargs):
    _, store = open_store(kwargs, ("d", "c"), container_name)
    try:
        store.delete_container(container_name, lease_id, conditions(if_modified_since=if_modified_since,
                                                                    if_unmodified_since=if_unmodified_since))
    except StorageError as ex:
        if ex.code == "ContainerNotFound" and not fail_not_exist:
            return {"deleted": False}
        raise
    return {"deleted": True}


def container_exists(container_name, timeout=None, **kwargs):
    _, store = open_store(kwargs, ("r", "c"), container_name)
    return {"exists": store.container_exists(container_name)}


def container_show(container_name, lease=None, timeout=None, **kwargs):
    _, store = open_store(kwargs, ("r", "c"), container_name)
    return blobviews.container(store.container(container_name))


def container_metadata_show(container_name, lease=None, timeout=None, **kwargs):
    return container_show(container_name, **kwargs)["metadata"]


def container_metadata_update(container_name, metadata=None, lease=None, if_modified_since=None,
                              if_unmodified_since=None, timeout=None, **kwargs):
    _, store = open_store(kwargs, ("w", "c"), container_name)
    doc = store.set_container(container_name, metadata=_metadata_dict(metadata), lease_id=lease,
                              conditions=conditions(if_modified_since=if_modified_since,
                                                    if_unmodified_since=if_unmodified_since))
    return blobviews.response(doc, encrypted=False)


def container_list(include_metadata=None, include_deleted=None, marker=None, num_results=None, prefix=None,
                   show_next_marker=False, timeout=None, **kwargs):
    _, store = open_store(kwargs, ("l", "s"))
    items, next_marker = store.list_containers(prefix or "", marker, num_results or 5000)
    out = [blobviews.container(dict(doc, metadata=doc["metadata"] if include_metadata else None)) for doc in items]
    return _listing.with_next_marker(out, next_marker, show_next_marker)


def container_set_permission(container_name, public_access=None, lease=None, if_modified_since=None,
                             if_unmodified_since=None, timeout=None, **kwargs):
    access, store = open_store(kwargs, ("w", "c"), container_name)
    level = None if public_access in (None, "off") else public_access
    _check_public(access, level)
    current = store.container(container_name)
    doc = store.set_container(container_name, public_access=level, acl=current["acl"], lease_id=lease,
                              conditions=conditions(if_modified_since=if_modified_since,
                                                    if_unmodified_since=if_unmodified_since))
    return blobviews.response(doc, encrypted=False)


def container_show_permission(container_name, lease=None, timeout=None, **kwargs):
    _, store = open_store(kwargs, ("r", "c"), container_name)
    return {"publicAccess": store.container(container_name)["public_access"] or "off"}


def _sas_key(access, as_user):
    if as_user:
        raise ValidationError("A user delegation SAS (--as-user) needs a user delegation key from Microsoft Entra "
                              "sign-in, which azlocal does not issue yet; sign the SAS with the account key.")
    if access.kind != "key":
        raise ValidationError("usage error: generating a SAS needs the account key: give --account-key, "
                              "--connection-string with AccountKey, or only --account-name.")
    return access.key


def _sas_times(expiry, start, policy):
    from azlocal.storage import sas

    if not expiry and not policy:
        raise ValidationError("usage error: --expiry is required unless --policy-name names a stored access policy.")
    try:
        return sas.format_time(expiry), sas.format_time(start)
    except StorageError:
        raise ValidationError("usage error: --expiry and --start take times like 2027-01-01T00:00Z.") from None


def container_generate_sas(container_name, permission=None, expiry=None, start=None, id=None, ip=None,
                           protocol=None, cache_control=None, content_disposition=None, content_encoding=None,
                           content_language=None, content_type=None, encryption_scope=None, as_user=False,
                           user_delegation_oid=None, user_delegation_tid=None, **kwargs):
    from azlocal.storage import sas

    access, _ = open_store(kwargs, None)
    key = _sas_key(access, as_user)
    expiry, start = _sas_times(expiry, start, id)
    return sas.generate_service(access.account, key, container_name, permission=permission, expiry=expiry,
                                start=start, policy_id=id, ip=ip, protocol=protocol, cache_control=cache_control,
                                content_disposition=content_disposition, content_encoding=content_encoding,
                                content_language=content_language, content_type=content_type,
                                encryption_scope=encryption_scope)


# blobs (not uploads and downloads: custom_blob_files) ------------------------------------------------

def _blob_kwargs(kwargs):
    for key in ("snapshot", "timeout", "if_tags_match_condition"):
        kwargs.pop(key, None)
    return kwargs


def blob_show(container_name=None, blob_name=None, blob_url=None, lease=None, if_match=None, if_none_match=None,
              if_modified_since=None, if_unmodified_since=None, snapshot=None, if_tags_match_condition=None,
              timeout=None, **kwargs):
    container, name = split_blob_url(kwargs, blob_url, container_name, blob_name)
    _, store = open_store(_blob_kwargs(kwargs), ("r", "o"), container, name)
    return blobviews.blob(store.blob(container, name, lease_id=lease, conditions=conditions(
        if_match, if_none_match, if_modified_since, if_unmodified_since)))


def blob_metadata_show(container_name=None, blob_name=None, blob_url=None, lease=None, if_match=None,
                       if_none_match=None, if_modified_since=None, if_unmodified_since=None, snapshot=None,
                       if_tags_match_condition=None, timeout=None, **kwargs):
    return blob_show(container_name, blob_name, blob_url, lease, if_match, if_none_match, if_modified_since,
                     if_unmodified_since, **kwargs)["metadata"]


def blob_exists(container_name=None, blob_name=None, blob_url=None, snapshot=None, timeout=None, **kwargs):
    container, name = split_blob_url(kwargs, blob_url, container_name, blob_name)
    _, store = open_store(_blob_kwargs(kwargs), ("r", "o"), container, name)
    try:
        return {"exists": store.blob_exists(container, name)}
    except StorageError as ex:
        if ex.code == "ContainerNotFound":
            return {"exists": False}
        raise


def blob_delete(container_name=None, blob_name=None, blob_url=None, lease=None, delete_snapshots=None,
                if_match=None, if_none_match=None, if_modified_since=None, if_unmodified_since=None, snapshot=None,
                if_tags_match_condition=None, timeout=None, **kwargs):
    container, name = split_blob_url(kwargs, blob_url, container_name, blob_name)
    _, store = open_store(_blob_kwargs(kwargs), ("d", "o"), container, name)
    store.delete_blob(container, name, lease, conditions(if_match, if_none_match, if_modified_since,
                                                         if_unmodified_since))


def blob_metadata_update(container_name=None, blob_name=None, blob_url=None, metadata=None, lease=None,
                         if_match=None, if_none_match=None, if_modified_since=None, if_unmodified_since=None,
                         snapshot=None, if_tags_match_condition=None, timeout=None, **kwargs):
    container, name = split_blob_url(kwargs, blob_url, container_name, blob_name)
    _, store = open_store(_blob_kwargs(kwargs), ("w", "o"), container, name)
    doc = store.set_blob(container, name, metadata=_metadata_dict(metadata), lease_id=lease,
                         conditions=conditions(if_match, if_none_match, if_modified_since, if_unmodified_since))
    return blobviews.response(doc)


def blob_update(container_name, blob_name, content_type=None, content_encoding=None, content_language=None,
                content_disposition=None, content_cache_control=None, content_md5=None, clear_content_settings=None,
                lease=None, if_match=None, if_none_match=None, if_modified_since=None, if_unmodified_since=None,
                if_tags_match_condition=None, timeout=None, **kwargs):
    _, store = open_store(_blob_kwargs(kwargs), ("w", "o"), container_name, blob_name)
    given = {"content_type": content_type, "content_encoding": content_encoding,
             "content_language": content_language, "content_disposition": content_disposition,
             "cache_control": content_cache_control, "content_md5": content_md5}
    current = store.blob(container_name, blob_name)
    settings = {k: (v if v is not None or clear_content_settings else current[k]) for k, v in given.items()}
    doc = store.set_blob(container_name, blob_name, settings=settings, lease_id=lease,
                         conditions=conditions(if_match, if_none_match, if_modified_since, if_unmodified_since))
    return dict(blobviews.response(doc, encrypted=False), blob_sequence_number=None)


def blob_url(container_name, blob_name, protocol="https", snapshot=None, **kwargs):
    from azlocal.storage import credentials

    account = kwargs.get("account_name") or credentials.account_from_endpoint(kwargs.get("account_url")) or \
        credentials.parse_connection_string(kwargs.get("connection_string") or "").get("AccountName") or \
        credentials._config("account")
    if not account:
        raise ValidationError("Missing account name: please provide --account-name, or --connection-string.")
    url = blob_url_of(account, container_name, blob_name) + (f"?snapshot={snapshot}" if snapshot else "")
    return url.replace("https", "http", 1) if protocol == "http" else url


def blob_generate_sas(container_name=None, blob_name=None, blob_url=None, permission=None, expiry=None, start=None,
                      id=None, ip=None, protocol=None, cache_control=None, content_disposition=None,
                      content_encoding=None, content_language=None, content_type=None, full_uri=False,
                      as_user=False, snapshot=None, encryption_scope=None, user_delegation_oid=None,
                      user_delegation_tid=None, timeout=None, **kwargs):
    from azlocal.storage import sas

    container, name = split_blob_url(kwargs, blob_url, container_name, blob_name)
    access, _ = open_store(kwargs, None)
    key = _sas_key(access, as_user)
    expiry, start = _sas_times(expiry, start, id)
    token = sas.generate_service(access.account, key, container, name, permission=permission, expiry=expiry,
                                 start=start, policy_id=id, ip=ip, protocol=protocol, cache_control=cache_control,
                                 content_disposition=content_disposition, content_encoding=content_encoding,
                                 content_language=content_language, content_type=content_type, snapshot=snapshot,
                                 encryption_scope=encryption_scope)
    return f"{blob_url_of(access.account, container, name)}?{token}" if full_uri else token


def blob_list(container_name, prefix=None, delimiter=None, include=None, marker=None, num_results=None,
              show_next_marker=False, timeout=None, **kwargs):
    _, store = open_store(kwargs, ("l", "c"), container_name)
    items, next_marker = store.list_blobs(container_name, prefix or "", delimiter, marker, num_results or 5000)
    out = [{"name": doc["prefix"]} if "prefix" in doc else blobviews.blob(
        dict(doc, metadata=doc["metadata"] if include and "m" in include else None)) for doc in items]
    return _listing.with_next_marker(out, next_marker, show_next_marker)
