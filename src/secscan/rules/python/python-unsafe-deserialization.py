import json
import marshal
import pickle
from pickle import loads

import jsonpickle


def load_session(request):
    blob = request.cookies.get("session")
    # ruleid: python-unsafe-deserialization
    return pickle.loads(bytes.fromhex(blob))


def load_upload(fileobj):
    # ruleid: python-unsafe-deserialization
    return loads(fileobj.read())


def load_code(data):
    # ruleid: python-unsafe-deserialization
    return marshal.loads(data)


def load_state(payload):
    # ruleid: python-unsafe-deserialization
    return jsonpickle.decode(payload)


def save_state(obj):
    # ok: python-unsafe-deserialization
    return pickle.dumps(obj)


def load_json(payload):
    # ok: python-unsafe-deserialization
    return json.loads(payload)


def dump_code(code):
    # ok: python-unsafe-deserialization
    return marshal.dumps(code)
