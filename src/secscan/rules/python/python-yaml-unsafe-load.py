import yaml
from yaml import SafeLoader


def load_config(stream):
    # ruleid: python-yaml-unsafe-load
    return yaml.load(stream)


def load_with_full_loader(text):
    # ruleid: python-yaml-unsafe-load
    return yaml.load(text, Loader=yaml.FullLoader)


def load_unsafe(text):
    # ruleid: python-yaml-unsafe-load
    return yaml.unsafe_load(text)


def load_all_default(text):
    # ruleid: python-yaml-unsafe-load
    return list(yaml.load_all(text, Loader=yaml.Loader))


def load_safe(text):
    # ok: python-yaml-unsafe-load
    return yaml.safe_load(text)


def load_safe_loader(text):
    # ok: python-yaml-unsafe-load
    return yaml.load(text, Loader=yaml.SafeLoader)


def load_imported_safe_loader(text):
    # ok: python-yaml-unsafe-load
    return yaml.load(text, Loader=SafeLoader)


def load_csafe_positional(text):
    # ok: python-yaml-unsafe-load
    return yaml.load(text, yaml.CSafeLoader)


def dump(data):
    # ok: python-yaml-unsafe-load
    return yaml.dump(data)
