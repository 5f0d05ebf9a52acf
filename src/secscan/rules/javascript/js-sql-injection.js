const express = require("express");
const mysql = require("mysql");

const app = express();
const db = mysql.createConnection({});

app.get("/products", (req, res) => {
  const criteria = req.query.q;
  // ruleid: js-sql-injection
  models.sequelize.query(`SELECT * FROM Products WHERE name LIKE '%${criteria}%'`);
  // ok: js-sql-injection
  db.query("SELECT * FROM products WHERE name LIKE ?", [`%${criteria}%`]);
  // ruleid: js-sql-injection
  db.query("SELECT * FROM users WHERE id = " + req.params.id, (err, rows) => res.json(rows));
  // ok: js-sql-injection
  db.query("SELECT * FROM users WHERE id = " + parseInt(req.params.id, 10));
});

function report(table) {
  // Program input, not request data.
  // ok: js-sql-injection
  return db.query("SELECT * FROM " + table);
}
