package runner

import (
	"context"
	"fmt"
	"os/exec"
)

func Archive(name string) error {
	// ruleid: go-exec-shell-injection
	return exec.Command("sh", "-c", "tar czf /tmp/"+name+".tgz /srv/data").Run()
}

func Ping(ctx context.Context, host string) ([]byte, error) {
	cmd := fmt.Sprintf("ping -c 1 %s", host)
	// ruleid: go-exec-shell-injection
	return exec.CommandContext(ctx, "/bin/bash", "-c", cmd).Output()
}

func Uptime() ([]byte, error) {
	// ok: go-exec-shell-injection
	return exec.Command("sh", "-c", "uptime | cut -d, -f1").Output()
}

func PingSafe(ctx context.Context, host string) ([]byte, error) {
	// ok: go-exec-shell-injection
	return exec.CommandContext(ctx, "ping", "-c", "1", host).Output()
}

func ListDir(dir string) ([]byte, error) {
	// ok: go-exec-shell-injection
	return exec.Command("sh", "-c", `ls -la -- "$1"`, "sh", dir).Output()
}
