import ast
import os
import sys

from flask import Flask, request

app = Flask(__name__)


def cmd_lab2(request):
    val = request.POST.get("val")
    # ruleid: python-eval-exec-injection
    output = eval(val)
    # ok: python-eval-exec-injection
    parsed = ast.literal_eval(val)
    return output, parsed


@app.route("/calc")
def calc():
    # ruleid: python-eval-exec-injection
    exec("result = " + request.args["expr"])
    return "done"


def plugin(code):
    # ruleid: python-eval-exec-injection
    return eval(code)


# ruleid: python-eval-exec-injection
result = eval(sys.argv[1])


def constant():
    expression = "1 + 2"
    # ok: python-eval-exec-injection
    return eval(expression)


def typed(value):
    # ok: python-eval-exec-injection
    return eval("%d + 1" % int(value))
