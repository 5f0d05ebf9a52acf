package store

import (
	"database/sql"
	"fmt"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"
)

var db *sql.DB

func UserByName(w http.ResponseWriter, r *http.Request) {
	name := r.FormValue("name")
	// ruleid: go-sql-injection
	rows, _ := db.Query(fmt.Sprintf("SELECT id, email FROM users WHERE name = '%s'", name))
	// ok: go-sql-injection
	safe, _ := db.Query("SELECT id, email FROM users WHERE name = $1", name)
	defer rows.Close()
	defer safe.Close()
}

func DeleteOrder(c *gin.Context) {
	id := c.Param("id")
	// ruleid: go-sql-injection
	db.Exec("DELETE FROM orders WHERE id = " + id)
	n, _ := strconv.Atoi(c.Query("n"))
	// ok: go-sql-injection
	db.Exec(fmt.Sprintf("DELETE FROM orders LIMIT %d", n))
}

func CountBy(column string) int {
	var n int
	// ok: go-sql-injection
	_ = db.QueryRow("SELECT COUNT(*) FROM users GROUP BY " + column).Scan(&n)
	return n
}
