package store

import (
	"context"
	"database/sql"
	"fmt"
)

func UserByName(db *sql.DB, name string) (*sql.Rows, error) {
	// ruleid: go-sql-injection
	return db.Query(fmt.Sprintf("SELECT id, email FROM users WHERE name = '%s'", name))
}

func DeleteOrder(ctx context.Context, db *sql.DB, id string) error {
	q := "DELETE FROM orders WHERE id = " + id
	// ruleid: go-sql-injection
	_, err := db.ExecContext(ctx, q)
	return err
}

func CountBy(db *sql.DB, column string) int {
	var n int
	// ruleid: go-sql-injection
	_ = db.QueryRow("SELECT COUNT(*) FROM users GROUP BY " + column).Scan(&n)
	return n
}

func UserByNameSafe(db *sql.DB, name string) (*sql.Rows, error) {
	// ok: go-sql-injection
	return db.Query("SELECT id, email FROM users WHERE name = $1", name)
}

func DeleteOrderSafe(ctx context.Context, db *sql.DB, id string) error {
	// ok: go-sql-injection
	_, err := db.ExecContext(ctx, "DELETE FROM orders WHERE id = ?", id)
	return err
}

func Constant(db *sql.DB) (*sql.Rows, error) {
	// ok: go-sql-injection
	return db.Query("SELECT id FROM users " + "ORDER BY id")
}

func LoggedButBound(db *sql.DB, name string) (*sql.Rows, error) {
	msg := fmt.Sprintf("lookup %s", name)
	fmt.Println(msg)
	// ok: go-sql-injection
	return db.Query("SELECT id FROM users WHERE name = $1", name)
}
