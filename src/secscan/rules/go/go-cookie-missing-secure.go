package web

import "net/http"

func SetSession(w http.ResponseWriter, id string) {
	// ruleid: go-cookie-missing-secure
	http.SetCookie(w, &http.Cookie{Name: "sid", Value: id, HttpOnly: true})
	// ruleid: go-cookie-missing-secure
	http.SetCookie(w, &http.Cookie{Name: "sid", Value: id, Secure: false})
	// ok: go-cookie-missing-secure
	http.SetCookie(w, &http.Cookie{Name: "sid", Value: id, Secure: true, HttpOnly: true})
	// ok: go-cookie-missing-secure
	c := http.Cookie{Name: "lang", Value: "en", Secure: true}
	http.SetCookie(w, &c)
}
