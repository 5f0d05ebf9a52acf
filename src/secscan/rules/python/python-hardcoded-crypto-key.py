import hashlib
import os

import jwt
from Crypto.Cipher import AES
from cryptography.fernet import Fernet


def encrypt(data):
    # ruleid: python-hardcoded-crypto-key
    cipher = AES.new(b"0123456789abcdef", AES.MODE_GCM)
    # ok: python-hardcoded-crypto-key
    env_cipher = AES.new(os.environ["APP_KEY"].encode(), AES.MODE_GCM)
    return cipher, env_cipher


def token(user):
    # ruleid: python-hardcoded-crypto-key
    return jwt.encode({"sub": user}, "dev-only-not-a-secret", algorithm="HS256")


def token_env(user):
    # ok: python-hardcoded-crypto-key
    return jwt.encode({"sub": user}, os.environ["JWT_KEY"], algorithm="HS256")


def digest(data):
    # ok: python-hardcoded-crypto-key
    return hashlib.new("sha3_256", data)
