import ldap
import ldap3
from ldap.filter import escape_filter_chars


def lookup(request):
    uid = request.GET["uid"]
    conn = ldap.initialize("ldap://directory.example.test")
    # ruleid: python-ldap-injection
    conn.search_s("dc=example,dc=test", ldap.SCOPE_SUBTREE, "(uid=" + uid + ")")
    # ok: python-ldap-injection
    conn.search_s("dc=example,dc=test", ldap.SCOPE_SUBTREE, "(uid=" + escape_filter_chars(uid) + ")")
    return "ok"


def lookup3(request):
    name = request.POST["name"]
    conn = ldap3.Connection("ldap://directory.example.test")
    # ruleid: python-ldap-injection
    conn.search("dc=example,dc=test", f"(cn={name})")
    # ok: python-ldap-injection
    conn.search("dc=example,dc=test", "(objectClass=person)")


def service_lookup(conn, uid):
    # ok: python-ldap-injection
    conn.search_s("dc=example,dc=test", ldap.SCOPE_SUBTREE, "(uid=" + uid + ")")
