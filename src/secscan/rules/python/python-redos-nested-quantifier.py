import re

# ruleid: python-redos-nested-quantifier
ROUTING = re.compile("([0-9]+)+#")
# ruleid: python-redos-nested-quantifier
EMAIL = re.compile(r"^([a-zA-Z0-9_\.-]+)*@example\.test$")
# ok: python-redos-nested-quantifier
SAFE = re.compile(r"([0-9]+)#")
# ok: python-redos-nested-quantifier
WORDS = re.compile(r"(\w+)\s(\w+)")


def check(value):
    # ruleid: python-redos-nested-quantifier
    return re.match(r"(a|aa+)*$", value)
