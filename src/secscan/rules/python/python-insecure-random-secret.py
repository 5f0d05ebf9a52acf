import random
import secrets
import string

ALPHABET = string.ascii_letters + string.digits


def new_session(user):
    # ruleid: python-insecure-random-secret
    session_id = "".join(random.choice(ALPHABET) for _ in range(32))
    # ruleid: python-insecure-random-secret
    user.reset_code = random.randint(100000, 999999)
    return session_id


def generate_api_token():
    # ruleid: python-insecure-random-secret
    return "%032x" % random.getrandbits(128)


def temp_password():
    # ruleid: python-insecure-random-secret
    password = "".join(random.choices(ALPHABET, k=12))
    return password


def secure_token():
    # ok: python-insecure-random-secret
    token = secrets.token_urlsafe(32)
    return token


def system_random_password():
    # ok: python-insecure-random-secret
    password = "".join(random.SystemRandom().choice(ALPHABET) for _ in range(16))
    return password


def pick_colour():
    # ok: python-insecure-random-secret
    colour = random.choice(["red", "green", "blue"])
    return colour


def jitter_delay():
    # ok: python-insecure-random-secret
    return random.uniform(0.5, 1.5)


def pick_shard(shards):
    # ok: python-insecure-random-secret
    key = random.choice(list(shards.keys()))
    return shards[key]
