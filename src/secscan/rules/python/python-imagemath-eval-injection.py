from PIL import Image, ImageMath


def a9_lab2(request):
    file = request.FILES["file"]
    function_str = request.POST.get("function")
    img = Image.open(file)
    r, g, b = img.split()
    # ruleid: python-imagemath-eval-injection
    output = ImageMath.eval(function_str, img=img, b=b, r=r, g=g)
    # ok: python-imagemath-eval-injection
    safe = ImageMath.eval("convert(r + g, 'L')", r=r, g=g)
    return output, safe


def flask_view():
    from flask import request
    # ruleid: python-imagemath-eval-injection
    return ImageMath.unsafe_eval("a + " + request.args["x"], a=1)


def from_config(expr, r):
    # ok: python-imagemath-eval-injection
    return ImageMath.eval(expr, r=r)
