"""Secret values and private keys at rest: AES-256-GCM under one key per home, kept in the platform secret store
(never in the state database). Each sealed value is bound to where it belongs (its vault, object and version,
the GCM associated data), so a sealed value copied into another row does not open there."""

import base64
import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from azlocal.core import settings
from azlocal.platform import secrets

KEY_SECRET = "keyvault/data-key"
PREFIX = "v1:"
_cache = {}


def _key():
    home = str(settings.home())
    if home not in _cache:
        stored = secrets.get_secret(KEY_SECRET)
        if not stored:
            import fcntl

            # made once: processes (and the daemon's threads) that all find none take turns, the first makes it
            with open(settings.home() / "keyvault-key.lock", "w") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                stored = secrets.get_secret(KEY_SECRET)
                if not stored:
                    stored = base64.b64encode(AESGCM.generate_key(256)).decode()
                    secrets.set_secret(KEY_SECRET, stored)
        _cache[home] = base64.b64decode(stored)
    return _cache[home]


def seal(data, context):
    """bytes -> "v1:<base64(nonce | ciphertext | tag)>", bound to `context` (a string naming the slot)."""
    if isinstance(data, str):
        data = data.encode()
    nonce = os.urandom(12)
    sealed = AESGCM(_key()).encrypt(nonce, bytes(data), context.encode())
    return PREFIX + base64.b64encode(nonce + sealed).decode()


def unseal(token, context):
    """The bytes `seal` sealed for `context`; cryptography's InvalidTag if the token or its context differs."""
    if not token.startswith(PREFIX):
        raise ValueError("not a sealed value")
    raw = base64.b64decode(token[len(PREFIX):])
    return AESGCM(_key()).decrypt(raw[:12], raw[12:], context.encode())
