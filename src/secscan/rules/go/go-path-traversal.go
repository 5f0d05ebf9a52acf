package files

import (
	"net/http"
	"os"
	"path/filepath"

	"github.com/gin-gonic/gin"
)

func Download(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("file")
	// ruleid: go-path-traversal
	http.ServeFile(w, r, filepath.Join("/srv/files", name))
	// ok: go-path-traversal
	http.ServeFile(w, r, filepath.Join("/srv/files", filepath.Base(name)))
}

func Read(c *gin.Context) {
	// ruleid: go-path-traversal
	data, _ := os.ReadFile("/var/data/" + c.Param("name"))
	c.JSON(200, len(data))
}

func Config(name string) ([]byte, error) {
	// ok: go-path-traversal
	return os.ReadFile(filepath.Join("/etc/app", name))
}
