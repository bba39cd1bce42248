"""The blob storage of a registry with a customer-managed key: the data key (acr/encryption.py), sealing uploads
as they are committed and blobs as they are copied, opening them for reads (the format: sealed.py).

`SealedBlobs` is a part of `storage.RegistryStorage` (its root, blob paths, quota counter); a registry is
encrypted when its root holds `encryption.json` (its wrapped data key), and then every blob is sealed.
"""

import hashlib
import os
import uuid
from pathlib import Path

from azlocal.acr.dataplane import sealed
from azlocal.acr.dataplane.errors import RegistryError

KEY_FILE = "encryption.json"
READ_AHEAD = 2  # chunks decrypted per step of a GET, the next step's while the last one is sent (2 measured best)


class SealedBlobs:
    @property
    def encrypted(self):
        """Whether this registry's blobs are sealed (it has a wrapped data key); once true, always."""
        if not self._encrypted:
            self._encrypted = (self.root / KEY_FILE).exists()
        return self._encrypted

    def data_key(self):
        """The data key of an encrypted registry (None for another): 403 DENIED when it cannot be unwrapped."""
        if not self.encrypted:
            return None
        from azlocal.acr import encryption

        try:
            return encryption.data_key(self.root)
        except encryption.KeyUnavailable as ex:
            raise RegistryError("DENIED", f"the registry's customer-managed key cannot be used: {ex}",
                                status=403) from None

    def open_sealed(self, digest):
        return sealed.Opened(self.data_key(), self.blob_path(digest))

    # An upload of an encrypted registry is sealed as it arrives (sealed.Appender): these stand for the plain
    # file operations of uploads.Upload.

    def upload_size(self, path):
        return sealed.upload_size(path)

    def append_upload(self, path):
        return sealed.Appender(self.data_key(), path)

    def truncate_upload(self, path, size):
        sealed.truncate_upload(self.data_key(), path, size)

    def upload_digest(self, path):
        """The digest of an upload's (plaintext) bytes, read from what is on disk."""
        hasher = hashlib.sha256()
        key = self.data_key()
        if key:
            sealed.hash_upload(key, path, hasher)
        else:
            with open(path, "rb") as f:
                for block in iter(lambda: f.read(1 << 20), b""):
                    hasher.update(block)
        return "sha256:" + hasher.hexdigest()

    def place(self, path, target):
        """Moves a verified upload into blobs/ atomically (an encrypted registry's in its final sealed form)."""
        if self.encrypted:
            sealed.finalize(self.data_key(), path)
        os.replace(path, target)

    def discard(self, path):
        Path(path).unlink(missing_ok=True)
        Path(f"{path}{sealed.TAIL}").unlink(missing_ok=True)
        Path(f"{path}{sealed.TAIL}.tmp").unlink(missing_ok=True)

    def copy_blob_from(self, source, digest):
        """Stores `source`'s blob `digest` here (a cache rule's copy), decrypted/sealed as each registry keeps
        its blobs; returns its plaintext size."""
        import shutil

        tmp = self.root / "uploads" / f"cache-{uuid.uuid4().hex}"
        try:
            if source.encrypted or self.encrypted:
                data = source.read_blob(digest)
                key = self.data_key()
                tmp.write_bytes(sealed.seal_bytes(key, data) if key else data)
                size = len(data)
            else:
                shutil.copyfile(source.blob_path(digest), tmp)
                size = tmp.stat().st_size
            path = self.blob_path(digest)
            path.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
        self.add_used(size)
        return size



def _range(header, size):
    """(start, end) inclusive of a single `bytes=` range, None for the whole blob; ValueError if unsatisfiable."""
    if not header:
        return None
    unit, _, spec = header.partition("=")
    if unit.strip().lower() != "bytes" or "," in spec:
        return None  # as aiohttp's file response: an unknown unit or several ranges get the whole blob
    first, _, last = spec.strip().partition("-")
    if not first:
        if not last or int(last) == 0:
            raise ValueError(header)
        return max(size - int(last), 0), size - 1
    start, end = int(first), int(last) if last else size - 1
    if start >= size or end < start:
        raise ValueError(header)
    return start, min(end, size - 1)


async def response(http, storage, digest, headers):
    """GET/HEAD of a sealed blob: its plaintext, whole or the one range asked for, decrypting only the chunks
    that range covers (off the event loop, a chunk at a time)."""
    import asyncio

    from aiohttp import web

    loop = asyncio.get_running_loop()
    opened = await loop.run_in_executor(None, storage.open_sealed, digest)
    pending = None
    try:
        try:
            wanted = _range(http.headers.get("Range"), opened.size)
        except ValueError:
            return web.Response(status=416, headers=dict(headers, **{"Content-Range": f"bytes */{opened.size}"}))
        start, end = wanted or (0, opened.size - 1)
        status = 206 if wanted else 200
        extra = {"Accept-Ranges": "bytes", "Content-Length": str(max(end - start + 1, 0))}
        if wanted:
            extra["Content-Range"] = f"bytes {start}-{end}/{opened.size}"
        out = web.StreamResponse(status=status, headers=dict(headers, **extra))
        await out.prepare(http)
        if http.method != "HEAD":
            pieces = opened.pieces(start, end)
            batch = lambda: [p for _, p in zip(range(READ_AHEAD), pieces)]  # noqa: E731
            pending = loop.run_in_executor(None, batch)
            while True:
                data = await pending
                if not data:
                    break
                pending = loop.run_in_executor(None, batch)  # the next chunks decrypt while these are sent
                for piece in data:
                    await out.write(piece)
        await out.write_eof()
        return out
    finally:
        if pending is not None and not pending.done():
            await asyncio.wait([pending])  # the reader thread finishes before its file closes
        opened.close()
