"""The key math (cryptography does it): generating RSA and EC keys, their JWKs, and the operations Key Vault
offers on them (encrypt/decrypt, wrap/unwrap with RSA-OAEP, RSA-OAEP-256 and RSA1_5; sign/verify of a digest)."""

import base64

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa, utils

from azlocal.keyvault import errors

RSA_SIZES = (2048, 3072, 4096)
CURVES = {"P-256": ec.SECP256R1, "P-384": ec.SECP384R1, "P-521": ec.SECP521R1, "P-256K": ec.SECP256K1}
RSA_OPS = ["encrypt", "decrypt", "sign", "verify", "wrapKey", "unwrapKey"]
EC_OPS = ["sign", "verify"]
ENCRYPTION = ("RSA-OAEP", "RSA-OAEP-256", "RSA1_5")
_HASH = {"256": hashes.SHA256, "384": hashes.SHA384, "512": hashes.SHA512}
_EC_SIGN = {"ES256": ("P-256", "256"), "ES384": ("P-384", "384"), "ES512": ("P-521", "512"),
            "ES256K": ("P-256K", "256")}


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text):
    text = text if isinstance(text, str) else text.decode()
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _int(number, length=None):
    return b64url(number.to_bytes(length or (number.bit_length() + 7) // 8, "big"))


def generate(kty, size=None, curve=None):
    """A new private key of `kty` (RSA/RSA-HSM: size 2048, 3072 or 4096; EC/EC-HSM: a curve)."""
    if kty.upper().startswith("RSA"):
        size = int(size or 2048)
        if size not in RSA_SIZES:
            raise errors.BadParameter(f"The specified key size {size} is not supported for RSA keys. Supported key "
                                      "sizes are 2048, 3072 and 4096.", inner="KeySizeNotSupported")
        return rsa.generate_private_key(public_exponent=65537, key_size=size)
    if kty.upper().startswith("EC"):
        curve = curve or "P-256"
        if curve not in CURVES:
            raise errors.BadParameter(f"Invalid curve name: {curve}")
        return ec.generate_private_key(CURVES[curve]())
    raise errors.BadParameter(f"Key type {kty} is not supported by azlocal's vaults (RSA, RSA-HSM, EC and EC-HSM "
                              "are).", inner="KeyTypeNotSupported")


def to_pem(key):
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def from_pem(pem):
    return serialization.load_pem_private_key(pem, password=None)


def public_jwk(key):
    """The public members of the key's JWK (n, e / crv, x, y)."""
    numbers = key.public_key().public_numbers()
    if isinstance(key, rsa.RSAPrivateKey):
        return {"n": _int(numbers.n), "e": _int(numbers.e)}
    name = next(n for n, c in CURVES.items() if isinstance(key.curve, c))
    length = (key.curve.key_size + 7) // 8
    return {"crv": name, "x": _int(numbers.x, length), "y": _int(numbers.y, length)}


def public_key(jwk):
    """The public key of a stored JWK (for verify and download)."""
    if "n" in jwk:
        return rsa.RSAPublicNumbers(int.from_bytes(b64url_decode(jwk["e"]), "big"),
                                    int.from_bytes(b64url_decode(jwk["n"]), "big")).public_key()
    x, y = (int.from_bytes(b64url_decode(jwk[k]), "big") for k in ("x", "y"))
    return ec.EllipticCurvePublicNumbers(x, y, CURVES[jwk["crv"]]()).public_key()


def private_from_jwk(jwk):
    """The private key of an imported JWK; BadParameter when it is not a complete RSA or EC private key."""
    def number(field):
        return int.from_bytes(b64url_decode(jwk[field]), "big")

    try:
        if str(jwk.get("kty", "")).upper().startswith("RSA"):
            public = rsa.RSAPublicNumbers(number("e"), number("n"))
            return rsa.RSAPrivateNumbers(number("p"), number("q"), number("d"), number("dp"), number("dq"),
                                         number("qi"), public).private_key()
        if str(jwk.get("kty", "")).upper().startswith("EC"):
            public = ec.EllipticCurvePublicNumbers(number("x"), number("y"), CURVES[jwk["crv"]]())
            return ec.EllipticCurvePrivateNumbers(number("d"), public).private_key()
    except (KeyError, TypeError, ValueError) as ex:
        raise errors.BadParameter(f"The JSON web key is not a valid private {jwk.get('kty')} key: {ex}") from ex
    raise errors.BadParameter(f"Key type {jwk.get('kty')} cannot be imported (RSA and EC keys can).",
                              inner="KeyTypeNotSupported")


def private_jwk(key):
    """The private JWK members of a key (what an import sends)."""
    jwk = public_jwk(key)
    numbers = key.private_numbers()
    if isinstance(key, rsa.RSAPrivateKey):
        jwk.update(kty="RSA", d=_int(numbers.d), p=_int(numbers.p), q=_int(numbers.q), dp=_int(numbers.dmp1),
                   dq=_int(numbers.dmq1), qi=_int(numbers.iqmp))
    else:
        jwk.update(kty="EC", d=_int(numbers.private_value, (key.curve.key_size + 7) // 8))
    return jwk


def _padding(alg):
    if alg == "RSA-OAEP":
        return padding.OAEP(mgf=padding.MGF1(hashes.SHA1()), algorithm=hashes.SHA1(), label=None)
    if alg == "RSA-OAEP-256":
        return padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)
    if alg == "RSA1_5":
        return padding.PKCS1v15()
    raise errors.BadParameter(f"Invalid algorithm: {alg}. Supported algorithms for RSA keys are RSA-OAEP, "
                              "RSA-OAEP-256 and RSA1_5.", inner="AlgorithmNotSupported")


def _rsa_only(key, alg):
    if not isinstance(key, rsa.RSAPrivateKey):
        raise errors.BadParameter(f"Algorithm {alg} is not supported for EC keys.", inner="AlgorithmNotSupported")


def encrypt(key, alg, data):
    _rsa_only(key, alg)
    pad = _padding(alg)
    try:
        return key.public_key().encrypt(bytes(data), pad)
    except ValueError as ex:
        raise errors.BadParameter(f"The value is too long to encrypt with {alg} and this key.") from ex


def decrypt(key, alg, data):
    _rsa_only(key, alg)
    pad = _padding(alg)
    try:
        return key.decrypt(bytes(data), pad)
    except ValueError as ex:
        raise errors.BadParameter("Error while decrypting: the ciphertext does not decrypt with this key and "
                                  "algorithm.") from ex


def _signing(alg, key):
    if alg[:2] in ("RS", "PS") and alg[2:] in _HASH:
        if not isinstance(key, (rsa.RSAPrivateKey, rsa.RSAPublicKey)):
            raise errors.BadParameter(f"Algorithm {alg} is not supported for EC keys.", inner="AlgorithmNotSupported")
        algorithm = _HASH[alg[2:]]()
        pss = padding.PSS(padding.MGF1(algorithm), algorithm.digest_size)
        pad = padding.PKCS1v15() if alg.startswith("RS") else pss
        return algorithm, pad
    if alg in _EC_SIGN:
        if not isinstance(key, (ec.EllipticCurvePrivateKey, ec.EllipticCurvePublicKey)):
            raise errors.BadParameter(f"Algorithm {alg} is not supported for RSA keys.", inner="AlgorithmNotSupported")
        return _HASH[_EC_SIGN[alg][1]](), None
    raise errors.BadParameter(f"Invalid algorithm: {alg}.", inner="AlgorithmNotSupported")


def sign(key, alg, digest):
    algorithm, pad = _signing(alg, key)
    if len(digest) != algorithm.digest_size:
        raise errors.BadParameter(f"Invalid length of the digest for {alg}: {len(digest)} bytes, "
                                  f"{algorithm.digest_size} expected.")
    if pad is not None:
        return key.sign(bytes(digest), pad, utils.Prehashed(algorithm))
    r, s = utils.decode_dss_signature(key.sign(bytes(digest), ec.ECDSA(utils.Prehashed(algorithm))))
    length = (key.curve.key_size + 7) // 8
    return r.to_bytes(length, "big") + s.to_bytes(length, "big")  # JWS form (r | s), as Key Vault returns it


def verify(public, alg, digest, signature):
    algorithm, pad = _signing(alg, public)
    try:
        if pad is not None:
            public.verify(bytes(signature), bytes(digest), pad, utils.Prehashed(algorithm))
        else:
            half = len(signature) // 2
            der = utils.encode_dss_signature(int.from_bytes(signature[:half], "big"),
                                             int.from_bytes(signature[half:], "big"))
            public.verify(der, bytes(digest), ec.ECDSA(utils.Prehashed(algorithm)))
    except (InvalidSignature, ValueError):
        return False
    return True
