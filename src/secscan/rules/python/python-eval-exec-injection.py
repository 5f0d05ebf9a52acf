import ast
import json


def calculate(expression):
    # ruleid: python-eval-exec-injection
    return eval(expression)


def run_snippet(request):
    code = request.form["code"]
    # ruleid: python-eval-exec-injection
    exec(code, {"__builtins__": {}})


def build_getter(field):
    # ruleid: python-eval-exec-injection
    return eval("lambda obj: obj." + field)


def constant_eval():
    # ok: python-eval-exec-injection
    return eval("1 + 2")


def literal(text):
    # ok: python-eval-exec-injection
    return ast.literal_eval(text)


def dataframe_eval(df, expr):
    # ok: python-eval-exec-injection
    return df.eval(expr)


def parse(text):
    # ok: python-eval-exec-injection
    return json.loads(text)
