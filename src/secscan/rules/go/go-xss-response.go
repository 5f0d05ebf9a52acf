package web

import (
	"fmt"
	"html"
	"io"
	"net/http"
)

func Hello(w http.ResponseWriter, r *http.Request) {
	name := r.FormValue("name")
	// ruleid: go-xss-response
	fmt.Fprintf(w, "<h1>Hello %s</h1>", name)
	// ok: go-xss-response
	fmt.Fprintf(w, "<h1>Hello %s</h1>", html.EscapeString(name))
	// ruleid: go-xss-response
	w.Write([]byte("<p>" + r.URL.Query().Get("q") + "</p>"))
	// ok: go-xss-response
	io.WriteString(w, "<p>static</p>")
}
