from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt, csrf_protect


# ruleid: python-django-csrf-exempt
@csrf_exempt
def transfer(request):
    return JsonResponse({"ok": True})


# ok: python-django-csrf-exempt
@csrf_protect
def profile(request):
    return JsonResponse({"ok": True})


def webhook(request):
    return JsonResponse({})


# ruleid: python-django-csrf-exempt
webhook_view = csrf_exempt(webhook)


# ok: python-django-csrf-exempt
def settings_view(request):
    return JsonResponse({})
