package fetch

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

func Proxy(w http.ResponseWriter, r *http.Request) {
	target := r.FormValue("url")
	// ruleid: go-ssrf
	resp, _ := http.Get(target)
	defer resp.Body.Close()
	// ok: go-ssrf
	fixed, _ := http.Get("https://api.example.test/status")
	defer fixed.Body.Close()
}

func Image(c *gin.Context) {
	// ruleid: go-ssrf
	req, _ := http.NewRequest("GET", c.Query("src"), nil)
	// ok: go-ssrf
	other, _ := http.NewRequest("GET", "https://img.example.test/"+c.Query("id"), nil)
	http.DefaultClient.Do(req)
	http.DefaultClient.Do(other)
}
