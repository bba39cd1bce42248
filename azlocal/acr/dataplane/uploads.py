"""Upload sessions: start, append chunks (Content-Range checked), commit with a digest check, cancel.

A session is an `Upload`: it streams to its own file under uploads/ (see `storage` for the
layout) and `commit` verifies the digest of the bytes on disk and moves the file into place with
one atomic rename. Every operation that writes to a session holds its lock for its whole body
and re-checks `closed` once it has it. A refused or broken request leaves the session as it was.
"""

import asyncio
import re
from contextlib import asynccontextmanager

from azlocal.acr.dataplane.errors import API_HEADER, RegistryError
from azlocal.acr.dataplane.names import check_digest

CHUNK = 1 << 20
CONTENT_RANGE = re.compile(r"(?:bytes[ =])?(\d{1,19})-(\d{1,19})(?:/(?:\d{1,19}|\*))?")


class Upload:
    """One upload session of one repository: appends to its own file; commit makes it a blob.

    Concurrency: every request that writes to a session (PATCH, the final PUT, DELETE) holds
    `lock` for its whole body, so chunks of two requests never interleave, and re-checks
    `closed` once it has the lock (the session may have been committed or cancelled meanwhile).
    The digest is verified over the bytes on disk, never over a running hash.
    """

    def __init__(self, store, upload_id, repo):
        self.store, self.id, self.repo = store, upload_id, repo
        self.path = store.upload_path(upload_id)
        self.lock = asyncio.Lock()
        self.closed = False

    @property
    def offset(self):
        try:
            if self.store.encrypted:  # sealed as it arrives (dataplane/encrypted.py)
                return self.store.upload_size(self.path)
            return self.path.stat().st_size
        except FileNotFoundError:
            return 0

    def open_for_append(self):
        return self.store.append_upload(self.path) if self.store.encrypted else open(self.path, "ab")

    def truncate(self, size):
        """Drops what a refused chunk appended: the session is as it was before the request."""
        if self.store.encrypted:
            return self.store.truncate_upload(self.path, size)
        with open(self.path, "r+b") as f:
            f.truncate(size)

    def disk_digest(self):
        return self.store.upload_digest(self.path)  # an encrypted registry seals the bytes in the same pass

    def commit(self, digest, quota_bytes=None, actual=None):
        """Verifies `digest` against the file (or `actual`, its digest computed off the event loop)."""
        check_digest(digest)
        actual = actual or self.disk_digest()
        if actual != digest:
            self.cancel()
            raise RegistryError("DIGEST_INVALID", "provided digest did not match uploaded content",
                                {"expected": digest, "actual": actual})
        target = self.store.blob_path(digest)
        if target.exists():
            self.cancel()
            return digest
        size = self.offset
        if quota_bytes is not None and self.store.used_bytes() + size > quota_bytes:
            self.cancel()
            raise RegistryError("DENIED", f"storage quota exceeded: the registry may store {quota_bytes} bytes "
                                f"({quota_bytes // 1024 ** 3} GiB included in its SKU)", {"quota": quota_bytes})
        target.parent.mkdir(parents=True, exist_ok=True)
        self.store.place(self.path, target)
        self._forget()
        self.store.add_used(size)
        return digest

    def cancel(self):
        self.store.discard(self.path)
        self._forget()

    def _forget(self):
        self.closed = True
        self.store.owner_path(self.id).unlink(missing_ok=True)
        self.store.uploads.pop(self.id, None)


def unknown(upload_id):
    return RegistryError("BLOB_UPLOAD_UNKNOWN", "blob upload unknown to registry", {"uuid": upload_id})


def session_headers(session, end):
    """Where a session is and how far it got (`end`: the offset of its last byte, 0 when empty)."""
    return {"Location": f"/v2/{session.repo}/blobs/uploads/{session.id}", "Range": f"0-{end}",
            "Docker-Upload-UUID": session.id}


def range_invalid(session, message, start=None):
    end = max((session.offset if start is None else start) - 1, 0)
    return RegistryError("BLOB_UPLOAD_INVALID", message, {"uuid": session.id}, status=416,
                         headers=dict(API_HEADER, **session_headers(session, end)))


def parse_content_range(value):
    """(first, last) of a chunk's Content-Range ("0-99", "bytes=0-99", "bytes 0-99/200"), None if malformed."""
    match = CONTENT_RANGE.fullmatch(value.strip())
    return (int(match.group(1)), int(match.group(2))) if match else None


def chunk_length(session, content_range, content_length):
    """The length a Content-Range announces (None without one). It must start at the session's
    offset and agree with Content-Length; otherwise 416, as the distribution spec says."""
    if content_range is None:
        return None
    parsed = parse_content_range(content_range)
    if parsed is None:
        raise range_invalid(session, "the Content-Range is malformed")
    first, last = parsed
    if first != session.offset or last < first:
        raise range_invalid(session, "the chunk does not continue the upload")
    length = last - first + 1
    if content_length is not None and content_length != length:
        raise range_invalid(session, "the chunk's Content-Length does not match its Content-Range")
    return length


async def _receive(session, chunks, expected=None):
    """Streams `chunks` onto the end of the session (the caller holds its lock). A body longer or
    shorter than its Content-Range (`expected`) is refused with 416."""
    start, received = session.offset, 0
    try:
        with session.open_for_append() as f:
            async for block in chunks:
                received += len(block)
                if expected is not None and received > expected:
                    break
                f.write(block)
        if expected is not None and received != expected:
            raise range_invalid(session, "the chunk's length does not match its Content-Range", start=start)
    except BaseException:
        if not session.closed:
            session.truncate(start)
        raise


async def _commit(session, digest, quota_bytes):
    """Verifies the digest over the bytes on disk (hashed off the event loop), then moves them into place;
    a session that fails to commit is gone."""
    try:
        actual = await asyncio.get_running_loop().run_in_executor(None, session.disk_digest)
        session.commit(digest, quota_bytes, actual)
    except BaseException:
        session.cancel()
        raise


@asynccontextmanager
async def _writing(session):
    async with session.lock:  # one writer at a time; who waited finds the session as its writer left it
        if session.closed:
            raise unknown(session.id)
        yield


async def monolithic(session, chunks, digest, *, quota_bytes=None):
    """A whole blob in the POST that opened `session` (its digest already checked)."""
    async with session.lock:
        try:
            await _receive(session, chunks)
        except BaseException:
            session.cancel()
            raise
        await _commit(session, digest, quota_bytes)


async def append(session, chunks, *, content_range=None, content_length=None):
    """PATCH: one more chunk."""
    async with _writing(session):
        await _receive(session, chunks, chunk_length(session, content_range, content_length))


async def finish(session, chunks, digest, *, content_range=None, content_length=None, quota_bytes=None):
    """The final PUT: its chunk (maybe empty), then the commit under `digest`."""
    if not digest:
        raise RegistryError("DIGEST_INVALID", "digest missing from the final PUT")
    async with _writing(session):
        try:
            check_digest(digest)
        except RegistryError:
            session.cancel()
            raise
        await _receive(session, chunks, chunk_length(session, content_range, content_length))
        await _commit(session, digest, quota_bytes)


async def cancel(session):
    async with _writing(session):
        session.cancel()


def sweep(uploads, cutoff, live):
    """Removes the session files under `uploads` nobody touched since `cutoff`, but not a session of
    `live` (id -> Upload) a request is writing to right now. Returns (files removed, bytes freed)."""
    groups = {}
    try:
        entries = list(uploads.iterdir())
    except OSError:
        return 0, 0
    for path in entries:
        groups.setdefault(path.name.split(".", 1)[0], []).append(path)
    removed = freed = 0
    for upload_id, paths in groups.items():
        session = live.get(upload_id)
        if session is not None and session.lock.locked():
            continue
        try:
            stats = [(p, p.lstat()) for p in paths]
        except OSError:
            continue
        if max(st.st_mtime for _, st in stats) >= cutoff:
            continue
        if session is not None:
            session.closed = True  # first: a request that takes its lock from now on finds it gone
        live.pop(upload_id, None)
        for path, st in stats:
            if path.is_dir() and not path.is_symlink():
                continue
            path.unlink(missing_ok=True)
            removed += 1
            freed += st.st_size
    return removed, freed
