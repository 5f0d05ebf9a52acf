package runner

import (
	"net/http"
	"os/exec"

	"github.com/gin-gonic/gin"
)

func Archive(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("name")
	// ruleid: go-exec-shell-injection
	exec.Command("sh", "-c", "tar czf /tmp/"+name+".tgz /srv/data").Run()
	// ok: go-exec-shell-injection
	exec.Command("sh", "-c", "uptime | cut -d, -f1").Run()
}

func Ping(c *gin.Context) {
	// ruleid: go-exec-shell-injection
	exec.CommandContext(c, "ping", "-c", "1", c.Query("host")).Output()
}

func Build(target string) error {
	// ok: go-exec-shell-injection
	return exec.Command("make", target).Run()
}
