from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from markupsafe import Markup


def comment(request):
    text = request.POST["text"]
    # ruleid: python-xss-mark-safe
    html = mark_safe("<p>" + text + "</p>")
    # ok: python-xss-mark-safe
    escaped = mark_safe("<p>" + escape(text) + "</p>")
    # ok: python-xss-mark-safe
    built = format_html("<p>{}</p>", text)
    return html, escaped, built


def flask_view():
    from flask import request
    # ruleid: python-xss-mark-safe
    return Markup(request.args["bio"])


def badge(label):
    # Program input, not request data.
    # ok: python-xss-mark-safe
    return mark_safe("<span>" + label + "</span>")
