"""The on-disk form of a blob of a registry encrypted with a customer-managed key.

    header   b"AZLCMK01" | chunk size C (u32) | plaintext size (u64)
    chunk i  nonce (12 bytes) | AES-256-GCM ciphertext of plaintext bytes [i*C, (i+1)*C) | tag (16 bytes)

Every chunk but the last holds C plaintext bytes (`CHUNK`), so chunk i starts at a fixed offset and a ranged
read decrypts only the chunks it covers. A chunk's associated data is the chunk size, its index and whether it
is the last one, and the file's length must match the header's size: chunks cannot be moved, dropped, added or
taken from another blob, nor the size altered, without a check failing. The key is the registry's data key
(`azlocal.acr.encryption`): 32 bytes, wrapped by the vault's key, never on disk in clear.

An upload in progress is sealed as it arrives (`Appender`): `<upload>` holds a placeholder header and the full
chunks, `<upload>.tail` the last partial chunk (sealed, rewritten at the end of each request); `finalize` turns
it into the blob's form with a few small writes, so no plaintext reaches the disk and no byte is written twice.
This module only seals and opens; it knows no registry, vault or HTTP.
"""

import os
import struct
from collections import deque
from concurrent.futures import ThreadPoolExecutor

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

MAGIC = b"AZLCMK01"
HEADER = struct.Struct(">8sIQ")
CHUNK = 1 << 20
NONCE, TAG = 12, 16
RECORD = NONCE + TAG
TAIL = ".tail"
QUEUED = 8  # blocks an upload's sealing thread may lag behind its request


class SealError(ValueError):
    """A sealed file that is not one, or whose bytes were altered."""


def _aad(chunk, index, final):
    return MAGIC + struct.pack(">IQB", chunk, index, 1 if final else 0)


def chunk_count(size, chunk=None):
    chunk = chunk or CHUNK
    return (size + chunk - 1) // chunk


def _seal_chunk(aead, chunk, index, final, block):
    nonce = os.urandom(NONCE)
    return nonce + aead.encrypt(nonce, bytes(block), _aad(chunk, index, final))


def _open_chunk(aead, chunk, index, final, raw):
    try:
        return aead.decrypt(raw[:NONCE], raw[NONCE:], _aad(chunk, index, final))
    except Exception as ex:  # InvalidTag: altered bytes or the wrong key
        raise SealError("a sealed blob failed its integrity check") from ex


def seal_bytes(key, data):
    chunk, size = CHUNK, len(data)
    count = chunk_count(size, chunk)
    aead = AESGCM(key)
    parts = [HEADER.pack(MAGIC, chunk, size)]
    for index in range(count):
        parts.append(_seal_chunk(aead, chunk, index, index == count - 1, data[index * chunk:(index + 1) * chunk]))
    return b"".join(parts)


def seal_file(key, source, target, hasher=None):
    """Writes the sealed form of the file `source` to `target` (feeding the plaintext to `hasher` on the way);
    returns the plaintext size."""
    chunk, size = CHUNK, os.path.getsize(source)
    count = chunk_count(size, chunk)
    aead = AESGCM(key)
    with open(source, "rb") as src, open(target, "wb") as out:
        out.write(HEADER.pack(MAGIC, chunk, size))
        for index in range(count):
            block = src.read(chunk)
            if hasher is not None:
                hasher.update(block)
            out.write(_seal_chunk(aead, chunk, index, index == count - 1, block))
    return size


def _header(f):
    raw = f.read(HEADER.size)
    if len(raw) != HEADER.size:
        raise SealError("not a sealed blob (short header)")
    magic, chunk, size = HEADER.unpack(raw)
    if magic != MAGIC or chunk <= 0:
        raise SealError("not a sealed blob")
    return raw, chunk, size


def plain_size(path):
    with open(path, "rb") as f:
        return _header(f)[2]


class Opened:
    """A sealed file open for reading: `size` (plaintext) and `read_chunk(i)`; close it when done."""

    def __init__(self, key, path):
        self.f = open(path, "rb")
        try:
            _, self.chunk, self.size = _header(self.f)
            self.count = chunk_count(self.size, self.chunk)
            if os.fstat(self.f.fileno()).st_size != HEADER.size + self.size + self.count * RECORD:
                raise SealError("a sealed blob's length does not match its header")
        except BaseException:
            self.f.close()
            raise
        self.aead = AESGCM(key)

    def read_chunk(self, index):
        length = min(self.chunk, self.size - index * self.chunk)
        if length <= 0:
            raise SealError("chunk index out of range")
        self.f.seek(HEADER.size + index * (self.chunk + RECORD))
        raw = self.f.read(length + RECORD)
        if len(raw) != length + RECORD:
            raise SealError("truncated sealed blob")
        return _open_chunk(self.aead, self.chunk, index, index == self.count - 1, raw)

    def pieces(self, start=0, end=None):
        """The plaintext bytes [start, end] (inclusive; `end` None: to the end), one piece per chunk touched."""
        end = self.size - 1 if end is None else min(end, self.size - 1)
        if self.size == 0 or start > end:
            return
        for index in range(start // self.chunk, end // self.chunk + 1):
            block = self.read_chunk(index)
            base = index * self.chunk
            yield block[max(start - base, 0):end - base + 1]

    def close(self):
        self.f.close()

    def __enter__(self):
        return self

    def __exit__(self, *_):
        self.close()


def open_bytes(key, path):
    with Opened(key, path) as opened:
        return b"".join(opened.pieces())


def is_sealed(path):
    try:
        with open(path, "rb") as f:
            return f.read(len(MAGIC)) == MAGIC
    except OSError:
        return False


# Uploads sealed as they arrive ------------------------------------------------------------------------------

def _full_chunks(path, chunk):
    size = os.path.getsize(path)
    return 0 if size <= HEADER.size else (size - HEADER.size) // (chunk + RECORD)


def _read_tail(aead, path, chunk, index):
    try:
        with open(f"{path}{TAIL}", "rb") as f:
            raw = f.read()
    except FileNotFoundError:
        return b""
    return _open_chunk(aead, chunk, index, True, raw)


def _write_tail(aead, path, chunk, index, block):
    tail = f"{path}{TAIL}"
    if not block:
        if os.path.exists(tail):
            os.unlink(tail)
        return
    tmp = f"{tail}.tmp"
    with open(tmp, "wb") as f:
        f.write(_seal_chunk(aead, chunk, index, True, block))
    os.replace(tmp, tail)


class Appender:
    """Appends plaintext to an upload being sealed (a file-like object for `with … as f: f.write(block)`):
    full chunks go to the upload's file as they fill, the rest to its sealed tail when it is closed. Its two
    buffers are reused for every chunk (no allocation per megabyte)."""

    def __init__(self, key, path):
        self.aead, self.path, self.chunk = AESGCM(key), str(path), CHUNK
        if os.path.getsize(self.path) == 0:
            with open(self.path, "wb") as f:
                f.write(HEADER.pack(MAGIC, self.chunk, 0))  # a placeholder; finalize writes the real one
        self.full = _full_chunks(self.path, self.chunk)
        tail = _read_tail(self.aead, self.path, self.chunk, self.full)
        self.acc = bytearray(self.chunk)  # the partial chunk being filled
        self.acc[:len(tail)] = tail
        self.fill = len(tail)
        self.out = bytearray(self.chunk + TAG)
        self.f = open(self.path, "ab")
        # Sealing runs on a thread of its own, so the request's data keeps arriving meanwhile; at most
        # QUEUED blocks wait for it (then write() waits for the oldest).
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="azlocal-seal")
        self._queued = deque()

    def _emit(self, block):
        nonce = os.urandom(NONCE)
        self.aead.encrypt_into(nonce, block, _aad(self.chunk, self.full, False), self.out)
        self.f.write(nonce)
        self.f.write(self.out)
        self.full += 1

    def write(self, block):
        """Queues `block` (bytes: immutable, so it is not copied) for sealing; an error surfaces at close."""
        self._queued.append(self._pool.submit(self._write, bytes(block) if isinstance(block, bytearray) else block))
        while len(self._queued) > QUEUED or (self._queued and self._queued[0].done()):
            self._queued.popleft().result()

    def _write(self, block):
        view = memoryview(block)
        if self.fill:
            n = min(self.chunk - self.fill, len(view))
            self.acc[self.fill:self.fill + n] = view[:n]
            self.fill += n
            view = view[n:]
            if self.fill < self.chunk:
                return
            self._emit(self.acc)
            self.fill = 0
        while len(view) >= self.chunk:
            self._emit(view[:self.chunk])
            view = view[self.chunk:]
        self.acc[:len(view)] = view
        self.fill = len(view)

    def close(self):
        try:
            while self._queued:
                self._queued.popleft().result()
        finally:
            self._pool.shutdown(wait=True)
            self.f.close()
        _write_tail(self.aead, self.path, self.chunk, self.full, bytes(self.acc[:self.fill]))

    def __enter__(self):
        return self

    def __exit__(self, *_):
        self.close()


def upload_size(path):
    """The plaintext bytes of an upload being sealed."""
    if os.path.getsize(path) == 0:
        return 0
    tail = f"{path}{TAIL}"
    extra = os.path.getsize(tail) - RECORD if os.path.exists(tail) else 0
    return _full_chunks(path, CHUNK) * CHUNK + extra


def hash_upload(key, path, hasher):
    """Feeds the plaintext of an upload being sealed to `hasher` (its digest is verified over what is on disk);
    one read buffer and one plaintext buffer serve every chunk."""
    path, chunk, aead = str(path), CHUNK, AESGCM(key)
    if os.path.getsize(path) == 0:
        return
    full = _full_chunks(path, chunk)
    raw, plain = bytearray(chunk + RECORD), bytearray(chunk)
    with open(path, "rb") as f:
        f.seek(HEADER.size)
        for index in range(full):
            if f.readinto(raw) != len(raw):
                raise SealError("truncated upload")
            try:
                aead.decrypt_into(bytes(raw[:NONCE]), memoryview(raw)[NONCE:], _aad(chunk, index, False), plain)
            except Exception as ex:  # InvalidTag
                raise SealError("an upload failed its integrity check") from ex
            hasher.update(plain)
    tail = _read_tail(aead, path, chunk, full)
    if tail:
        hasher.update(tail)


def truncate_upload(key, path, size):
    """Drops what a refused chunk appended: the upload holds its first `size` plaintext bytes again."""
    path, chunk, aead = str(path), CHUNK, AESGCM(key)
    if os.path.getsize(path) == 0:
        return
    full = _full_chunks(path, chunk)
    keep, rest = divmod(size, chunk)
    block = b""
    if rest:
        if keep < full:
            with open(path, "rb") as f:
                f.seek(HEADER.size + keep * (chunk + RECORD))
                block = _open_chunk(aead, chunk, keep, False, f.read(chunk + RECORD))[:rest]
        else:
            block = _read_tail(aead, path, chunk, full)[:rest]
    with open(path, "r+b") as f:
        f.truncate(HEADER.size + min(keep, full) * (chunk + RECORD))
    _write_tail(aead, path, chunk, keep, block)


def finalize(key, path):
    """Turns a verified upload into the blob's sealed form in place: its tail becomes the last chunk (or the
    last full chunk is sealed again as the last), and the header gets the size."""
    path, chunk, aead = str(path), CHUNK, AESGCM(key)
    size = upload_size(path)
    if os.path.getsize(path) == 0:
        with open(path, "wb") as f:
            f.write(HEADER.pack(MAGIC, chunk, 0))
        return size
    full = _full_chunks(path, chunk)
    tail = f"{path}{TAIL}"
    with open(path, "r+b") as f:
        if os.path.exists(tail):
            f.seek(0, os.SEEK_END)
            with open(tail, "rb") as t:
                f.write(t.read())
        elif full:
            offset = HEADER.size + (full - 1) * (chunk + RECORD)
            f.seek(offset)
            block = _open_chunk(aead, chunk, full - 1, False, f.read(chunk + RECORD))
            f.seek(offset)
            f.write(_seal_chunk(aead, chunk, full - 1, True, block))
        f.seek(0)
        f.write(HEADER.pack(MAGIC, chunk, size))
    if os.path.exists(tail):
        os.unlink(tail)
    return size
