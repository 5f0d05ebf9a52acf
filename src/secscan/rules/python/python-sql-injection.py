import sqlite3

import pandas
from sqlalchemy import text


def get_user_fstring(conn, user_id):
    cur = conn.cursor()
    # ruleid: python-sql-injection
    cur.execute(f"SELECT * FROM users WHERE id = {user_id}")
    return cur.fetchone()


def get_user_format(cur, name):
    # ruleid: python-sql-injection
    cur.execute("SELECT * FROM users WHERE name = '{}'".format(name))


def get_user_percent(cur, name):
    query = "SELECT * FROM users WHERE name = '%s'" % name
    # ruleid: python-sql-injection
    cur.execute(query)


def get_user_concat(cur, name):
    # ruleid: python-sql-injection
    cur.executemany("INSERT INTO audit (who) VALUES ('" + name + "')", [])


def sqlalchemy_text(session, order):
    # ruleid: python-sql-injection
    return session.execute(text("SELECT * FROM items ORDER BY " + order))


def django_raw(User, term):
    # ruleid: python-sql-injection
    return User.objects.raw(f"SELECT * FROM auth_user WHERE username LIKE '%{term}%'")


def pandas_query(conn, table):
    # ruleid: python-sql-injection
    return pandas.read_sql("SELECT * FROM " + table, conn)


def get_user_safe(cur, user_id):
    # ok: python-sql-injection
    cur.execute("SELECT * FROM users WHERE id = %s", (user_id,))


def get_user_safe_named(session, name):
    # ok: python-sql-injection
    return session.execute(text("SELECT * FROM users WHERE name = :name"), {"name": name})


def constant_concat(cur):
    # ok: python-sql-injection
    cur.execute("SELECT * FROM users " + "ORDER BY id")


def formatted_value_bound_as_param(cur, first, last):
    full_name = f"{first} {last}"
    # ok: python-sql-injection
    cur.execute("SELECT * FROM users WHERE full_name = ?", (full_name,))


def log_only(logger, name):
    message = "looking up %s" % name
    logger.info(message)
    conn = sqlite3.connect(":memory:")
    # ok: python-sql-injection
    conn.execute("SELECT 1")


def in_list_placeholders(cur, ids):
    marks = ", ".join(["%s"] * len(ids))
    # ok: python-sql-injection
    cur.execute("SELECT * FROM users WHERE id IN (" + marks + ")", ids)


def in_list_inline(cur, ids):
    # ok: python-sql-injection
    cur.execute(f"DELETE FROM sessions WHERE id IN ({', '.join(['?'] * len(ids))})", ids)


def dynamic_where_with_placeholders(cur, name):
    sql = "SELECT * FROM users WHERE 1=1"
    params = []
    if name:
        sql += " AND name = %s"
        params.append(name)
    # ok: python-sql-injection
    cur.execute(sql, params)


def drop_table(cursor, connection, table_name):
    # ok: python-sql-injection
    cursor.execute("DROP TABLE %s" % connection.ops.quote_name(table_name))
    # ok: python-sql-injection
    cursor.execute("SELECT sql FROM sqlite_master WHERE name=%s" % (connection.ops.quote_name(table_name),))
    # ruleid: python-sql-injection
    cursor.execute("DROP TABLE %s" % table_name)
