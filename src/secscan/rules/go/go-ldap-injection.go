package auth

import (
	"fmt"
	"net/http"

	"github.com/go-ldap/ldap/v3"
)

func Lookup(w http.ResponseWriter, r *http.Request) {
	uid := r.FormValue("uid")
	// ruleid: go-ldap-injection
	req := ldap.NewSearchRequest("dc=example,dc=test", ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 0, 0, false, fmt.Sprintf("(uid=%s)", uid), []string{"dn"}, nil)
	// ok: go-ldap-injection
	safe := ldap.NewSearchRequest("dc=example,dc=test", ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 0, 0, false, fmt.Sprintf("(uid=%s)", ldap.EscapeFilter(uid)), []string{"dn"}, nil)
	// ruleid: go-ldap-injection
	other := ldap.NewSearchRequest("dc=example,dc=test", ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 0, 0, false, "(cn="+r.Header.Get("X-User")+")", []string{"dn"}, nil)
	// ok: go-ldap-injection
	fixed := ldap.NewSearchRequest("dc=example,dc=test", ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 0, 0, false, "(objectClass=person)", []string{"dn"}, nil)
	_, _, _, _ = req, safe, other, fixed
}
