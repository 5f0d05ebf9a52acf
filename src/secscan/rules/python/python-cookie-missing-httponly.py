from django.http import HttpResponse


def login(request):
    response = HttpResponse("ok")
    # ruleid: python-cookie-missing-httponly
    response.set_cookie("token", "value", secure=True)
    # ruleid: python-cookie-missing-httponly
    response.set_cookie("sid", "value", secure=True, httponly=False)
    # ok: python-cookie-missing-httponly
    response.set_cookie("sid", "value", secure=True, httponly=True)
    # ok: python-cookie-missing-httponly
    response.set_cookie("csrftoken", "value", httponly=settings.CSRF_COOKIE_HTTPONLY)
    return response
