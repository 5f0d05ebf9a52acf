const { Pool } = require("pg");
const pool = new Pool();

async function getUser(req, res) {
  // ruleid: js-sql-injection
  const result = await pool.query("SELECT * FROM users WHERE id = " + req.params.id);
  res.json(result.rows);
}

async function search(db, term) {
  // ruleid: js-sql-injection
  return db.query(`SELECT * FROM products WHERE name LIKE '%${term}%'`);
}

async function sorted(connection, column) {
  const sql = "SELECT id, name FROM users ORDER BY " + column;
  // ruleid: js-sql-injection
  const [rows] = await connection.execute(sql);
  return rows;
}

async function knexRaw(knex, id) {
  // ruleid: js-sql-injection
  return knex.raw(`DELETE FROM sessions WHERE user_id = ${id}`);
}

async function getUserSafe(req, res) {
  // ok: js-sql-injection
  const result = await pool.query("SELECT * FROM users WHERE id = $1", [req.params.id]);
  res.json(result.rows);
}

async function constantConcat(db) {
  // ok: js-sql-injection
  return db.query("SELECT * FROM users " + "ORDER BY id");
}

async function notSql(client, name) {
  // ok: js-sql-injection
  return client.query(`hello ${name}`);
}

async function namedParams(connection, id) {
  // ok: js-sql-injection
  return connection.execute("SELECT * FROM orders WHERE id = ?", [id]);
}

async function inList(db, ids) {
  // ok: js-sql-injection
  return db.query("SELECT * FROM users WHERE id IN (" + ids.map(() => "?").join(", ") + ")", ids);
}

async function inListTemplate(pool, ids) {
  // ok: js-sql-injection
  return pool.query(`DELETE FROM sessions WHERE id IN (${ids.map((_, i) => "$" + (i + 1)).join(",")})`, ids);
}
