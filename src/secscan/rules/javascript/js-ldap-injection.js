const ldap = require("ldapjs");
const client = ldap.createClient({ url: "ldap://directory.example.test" });

app.post("/login", (req, res) => {
  // ruleid: js-ldap-injection
  client.search("dc=example,dc=test", { filter: "(uid=" + req.body.user + ")" }, () => res.end());
  // ok: js-ldap-injection
  client.search("dc=example,dc=test", { filter: "(objectClass=person)" }, () => res.end());
  // ruleid: js-ldap-injection
  client.search("dc=example,dc=test", `(mail=${req.query.mail})`, () => res.end());
});

function lookup(uid) {
  // ok: js-ldap-injection
  client.search("dc=example,dc=test", { filter: "(uid=" + uid + ")" }, () => {});
}
