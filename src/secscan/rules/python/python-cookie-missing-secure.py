from django.http import HttpResponse


def login(request):
    response = HttpResponse("ok")
    # ruleid: python-cookie-missing-secure
    response.set_cookie("token", "value")
    # ruleid: python-cookie-missing-secure
    response.set_cookie("userid", "42", max_age=31449600, samesite=None, secure=False)
    # ok: python-cookie-missing-secure
    response.set_cookie("sid", "value", secure=True, httponly=True, samesite="Lax")
    # ok: python-cookie-missing-secure
    response.set_cookie("lang", "en", secure=request.is_secure())
    return response


def with_options(response, options):
    # ok: python-cookie-missing-secure
    response.set_cookie("sid", "value", **options)
