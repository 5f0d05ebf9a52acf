import re


def search(request):
    pattern = request.GET["pattern"]
    # ruleid: python-redos-regex-from-input
    rx = re.compile(pattern)
    # ok: python-redos-regex-from-input
    literal = re.compile(re.escape(pattern))
    return rx, literal


def filter_view(request, lines):
    # ruleid: python-redos-regex-from-input
    return [l for l in lines if re.search(request.POST["q"], l)]


def configured(pattern, text):
    # ok: python-redos-regex-from-input
    return re.match(pattern, text)
