import hashlib
import os


def store_password(user, password):
    # ruleid: python-weak-password-hash
    user.password_hash = hashlib.md5(password.encode()).hexdigest()


def check_password(user, raw_pwd):
    # ruleid: python-weak-password-hash
    return hashlib.sha1(raw_pwd.encode("utf-8")).hexdigest() == user.password_hash


def hash_with_new(passwd):
    # ruleid: python-weak-password-hash
    return hashlib.new("md5", passwd.encode()).hexdigest()


def incremental(salt, password):
    h = hashlib.sha1()
    h.update(salt)
    # ruleid: python-weak-password-hash
    h.update(password.encode())
    return h.hexdigest()


def file_checksum(path):
    with open(path, "rb") as fh:
        # ok: python-weak-password-hash
        return hashlib.md5(fh.read()).hexdigest()


def cache_key(password_reset_url):
    # ok: python-weak-password-hash
    return hashlib.md5(password_reset_url.encode(), usedforsecurity=False).hexdigest()


def strong_hash(password):
    salt = os.urandom(16)
    # ok: python-weak-password-hash
    return salt + hashlib.pbkdf2_hmac("sha256", password.encode(), salt, 600_000)


def etag(body):
    # ok: python-weak-password-hash
    return hashlib.sha1(body).hexdigest()
