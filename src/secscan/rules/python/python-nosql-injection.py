from flask import Flask, request
from pymongo import MongoClient

app = Flask(__name__)
db = MongoClient().app


@app.route("/search")
def search():
    term = request.args.get("term")
    # ruleid: python-nosql-injection
    docs = db.items.find({"$where": "this.name == '" + term + "'"})
    # ok: python-nosql-injection
    safe = db.items.find({"name": str(term)})
    return str(list(docs) + list(safe))


@app.route("/login", methods=["POST"])
def login():
    # ruleid: python-nosql-injection
    user = db.users.find_one(request.get_json())
    # ok: python-nosql-injection
    other = db.users.find_one({"name": "admin"})
    return str(user) + str(other)
