import jwt
from jose import jwt as jose_jwt

SIGNING_KEY_ENV = "JWT_SIGNING_KEY"


def claims_no_verify(token):
    # ruleid: python-jwt-decode-without-verification
    return jwt.decode(token, options={"verify_signature": False})


def legacy_no_verify(token):
    # ruleid: python-jwt-decode-without-verification
    return jwt.decode(token, verify=False)


def accepts_none(token, key):
    # ruleid: python-jwt-decode-without-verification
    return jwt.decode(token, key, algorithms=["HS256", "none"])


def jose_no_verify(token, key):
    # ruleid: python-jwt-decode-without-verification
    return jose_jwt.decode(token, key, options={"verify_signature": False, "verify_aud": False})


def verified(token, key):
    # ok: python-jwt-decode-without-verification
    return jwt.decode(token, key, algorithms=["HS256"])


def verified_no_exp(token, key):
    # ok: python-jwt-decode-without-verification
    return jwt.decode(token, key, algorithms=["RS256"], options={"verify_exp": False})


def header_only(token):
    # ok: python-jwt-decode-without-verification
    return jwt.get_unverified_header(token)
