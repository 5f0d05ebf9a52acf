from Crypto.Cipher import AES, DES, ARC4
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes


def legacy(key, data):
    # ruleid: python-weak-cipher
    des = DES.new(key, DES.MODE_CBC)
    # ruleid: python-weak-cipher
    ecb = AES.new(key, AES.MODE_ECB)
    # ruleid: python-weak-cipher
    rc4 = ARC4.new(key)
    # ok: python-weak-cipher
    gcm = AES.new(key, AES.MODE_GCM)
    return des, ecb, rc4, gcm


def hazmat(key, iv):
    # ruleid: python-weak-cipher
    bad = Cipher(algorithms.AES(key), modes.ECB())
    # ok: python-weak-cipher
    good = Cipher(algorithms.AES(key), modes.CBC(iv))
    return bad, good
