import hashlib

from cryptography.hazmat.primitives import hashes


def sign(data):
    # ruleid: python-weak-hash
    return hashlib.md5(data).hexdigest()


def fingerprint(data):
    # ruleid: python-weak-hash
    h = hashlib.new("sha1", data)
    # ruleid: python-weak-hash
    digest = hashes.Hash(hashes.SHA1())
    return h, digest


def cache_key(data):
    # ok: python-weak-hash
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def strong(data):
    # ok: python-weak-hash
    return hashlib.sha256(data).hexdigest()
