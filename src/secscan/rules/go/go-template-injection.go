package web

import (
	"html/template"
	"net/http"
)

func Render(w http.ResponseWriter, r *http.Request) {
	// ruleid: go-template-injection
	t, _ := template.New("page").Parse("<h1>" + r.FormValue("title") + "</h1>")
	// ok: go-template-injection
	s, _ := template.New("page").Parse("<h1>{{.Title}}</h1>")
	s.Execute(w, map[string]string{"Title": r.FormValue("title")})
	// ruleid: go-template-injection
	u := template.Must(template.New("x").Parse(r.URL.Query().Get("tpl")))
	t.Execute(w, nil)
	u.Execute(w, nil)
}

func Load(text string) *template.Template {
	// ok: go-template-injection
	return template.Must(template.New("cfg").Parse(text))
}
