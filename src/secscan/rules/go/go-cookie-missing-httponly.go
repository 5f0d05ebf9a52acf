package web

import "net/http"

func SetSession(w http.ResponseWriter, id string) {
	// ruleid: go-cookie-missing-httponly
	http.SetCookie(w, &http.Cookie{Name: "sid", Value: id, Secure: true})
	// ruleid: go-cookie-missing-httponly
	http.SetCookie(w, &http.Cookie{Name: "sid", Value: id, Secure: true, HttpOnly: false})
	// ok: go-cookie-missing-httponly
	http.SetCookie(w, &http.Cookie{Name: "sid", Value: id, Secure: true, HttpOnly: true})
	// ok: go-cookie-missing-httponly
	c := http.Cookie{Name: "sid", Value: id, HttpOnly: true}
	http.SetCookie(w, &c)
}
