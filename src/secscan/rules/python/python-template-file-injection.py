import os


def log_function_checker(request):
    log_code = request.POST.get("log_code")
    dirname = os.path.dirname(__file__)
    log_filename = os.path.join(dirname, "playground/A9/main.py")
    f = open(log_filename, "w")
    # ruleid: python-template-file-injection
    f.write(log_code)
    f.close()
    notes = open("notes.txt", "w")
    # ok: python-template-file-injection
    notes.write(log_code)
    return "ok"


def blog(request, id):
    blog = request.POST["blog"]
    with open(f"templates/blogs/{id}.html", "w+") as out:
        # ruleid: python-template-file-injection
        out.write("{% block content %}" + blog + "{% endblock %}")
    return "ok"


def generate(code):
    # Program input, not request data.
    with open("generated.py", "w") as out:
        # ok: python-template-file-injection
        out.write(code)
