import sqlite3

import pandas
from django.db import connection
from django.http import HttpResponse
from fastapi import FastAPI
from flask import Flask, request
from sqlalchemy import text

app = Flask(__name__)
api = FastAPI()


@app.route("/user")
def flask_user():
    user_id = request.args.get("id")
    cur = sqlite3.connect("app.db").cursor()
    # ruleid: python-sql-injection
    cur.execute(f"SELECT * FROM users WHERE id = {user_id}")
    # ok: python-sql-injection
    cur.execute("SELECT * FROM users WHERE id = ?", (user_id,))
    # ok: python-sql-injection
    cur.execute(f"SELECT * FROM users WHERE id = {int(user_id)}")
    return "done"


def django_view(request):
    name = request.POST.get("name")
    query = "SELECT * FROM users WHERE name = '%s'" % name
    with connection.cursor() as cur:
        # ruleid: python-sql-injection
        cur.execute(query)
    # ruleid: python-sql-injection
    User.objects.raw("SELECT * FROM auth_user WHERE username = '" + name + "'")
    # ok: python-sql-injection
    User.objects.raw("SELECT * FROM auth_user WHERE username = %s", [name])
    return HttpResponse("ok")


@api.get("/items/{order}")
def fastapi_items(order: str, session=None):
    # ruleid: python-sql-injection
    session.execute(text("SELECT * FROM items ORDER BY " + order))
    # ok: python-sql-injection
    session.execute(text("SELECT * FROM items WHERE owner = :o"), {"o": order})


def report(conn, table):
    # Not request data: a constant table list built by the program itself.
    # ok: python-sql-injection
    pandas.read_sql("SELECT * FROM " + table, conn)


def quoted(request, schema_editor):
    column = request.GET["col"]
    # ok: python-sql-injection
    schema_editor.execute("ALTER TABLE t DROP COLUMN %s" % schema_editor.quote_name(column))


def constants_only(cur):
    suffix = "_archive"
    # ok: python-sql-injection
    cur.execute("SELECT * FROM users" + suffix)
