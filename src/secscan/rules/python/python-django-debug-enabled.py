# Stand-in for a Django settings module (the rule's `paths` filter limits real
# scans to *settings*.py files; semgrep --test ignores `paths`).
import os

# ruleid: python-django-debug-enabled
DEBUG = True

if os.environ.get("LOCAL_DEV"):
    # ruleid: python-django-debug-enabled
    DEBUG: bool = True

# ok: python-django-debug-enabled
DEBUG = False

# ok: python-django-debug-enabled
DEBUG = os.environ.get("DJANGO_DEBUG") == "1"

# ok: python-django-debug-enabled
TEMPLATE_DEBUG_TOOLBAR = True


def enable_debug_for_tests(settings):
    # ok: python-django-debug-enabled
    DEBUG = True
    settings.DEBUG = DEBUG
