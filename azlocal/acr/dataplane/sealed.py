"""The on-disk form of a blob of a registry encrypted with a customer-managed key.

    header   b"AZLCMK01" | chunk size (u32) | plaintext size (u64)
    chunk i  nonce (12 bytes) | AES-256-GCM ciphertext of plaintext bytes [i*C, (i+1)*C) | tag (16 bytes)

Every chunk but the last holds C plaintext bytes (`CHUNK`), so chunk i starts at a fixed offset and a ranged
read decrypts only the chunks it covers. Each chunk's associated data is the header and the chunk's index, so
chunks cannot be moved, dropped or taken from another blob, and the header cannot be altered, without the
tag failing. The key is the registry's data key (`azlocal.acr.encryption`): 32 bytes, wrapped by the vault's
key, never on disk in clear. This module only seals and opens; it knows no registry, vault or HTTP.
"""

import os
import struct

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

MAGIC = b"AZLCMK01"
HEADER = struct.Struct(">8sIQ")
CHUNK = 1 << 20
NONCE, TAG = 12, 16


class SealError(ValueError):
    """A sealed file that is not one, or whose bytes were altered."""


def _aad(header, index):
    return header + struct.pack(">Q", index)


def chunk_count(size, chunk=None):
    chunk = chunk or CHUNK
    return (size + chunk - 1) // chunk


def _seal_chunk(aead, header, index, block):
    nonce = os.urandom(NONCE)
    return nonce + aead.encrypt(nonce, block, _aad(header, index))


def seal_bytes(key, data):
    header = HEADER.pack(MAGIC, CHUNK, len(data))
    aead = AESGCM(key)
    parts = [header]
    for index in range(chunk_count(len(data))):
        parts.append(_seal_chunk(aead, header, index, data[index * CHUNK:(index + 1) * CHUNK]))
    return b"".join(parts)


def seal_file(key, source, target, hasher=None):
    """Writes the sealed form of the file `source` to `target` (feeding the plaintext to `hasher` on the way,
    so one pass both verifies a digest and encrypts); returns the plaintext size."""
    size = os.path.getsize(source)
    header = HEADER.pack(MAGIC, CHUNK, size)
    aead = AESGCM(key)
    with open(source, "rb") as src, open(target, "wb") as out:
        out.write(header)
        for index in range(chunk_count(size)):
            block = src.read(CHUNK)
            if hasher is not None:
                hasher.update(block)
            out.write(_seal_chunk(aead, header, index, block))
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
            self.header, self.chunk, self.size = _header(self.f)
        except BaseException:
            self.f.close()
            raise
        self.aead = AESGCM(key)

    def read_chunk(self, index):
        length = min(self.chunk, self.size - index * self.chunk)
        if length <= 0:
            raise SealError("chunk index out of range")
        self.f.seek(HEADER.size + index * (self.chunk + NONCE + TAG))
        raw = self.f.read(length + NONCE + TAG)
        if len(raw) != length + NONCE + TAG:
            raise SealError("truncated sealed blob")
        try:
            return self.aead.decrypt(raw[:NONCE], raw[NONCE:], _aad(self.header, index))
        except Exception as ex:  # InvalidTag: altered bytes or the wrong key
            raise SealError("a sealed blob failed its integrity check") from ex

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
