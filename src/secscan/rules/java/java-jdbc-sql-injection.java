import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

public class UserDao {
    private static final String BASE = "SELECT id, name FROM users";
    private Connection conn;

    public ResultSet byName(String name) throws SQLException {
        Statement stmt = conn.createStatement();
        // ruleid: java-jdbc-sql-injection
        return stmt.executeQuery("SELECT * FROM users WHERE name = '" + name + "'");
    }

    public int deleteById(String id) throws SQLException {
        String sql = "DELETE FROM users WHERE id = " + id;
        // ruleid: java-jdbc-sql-injection
        return conn.createStatement().executeUpdate(sql);
    }

    public void audit(Statement stmt, String user) throws SQLException {
        String sql = String.format("INSERT INTO audit(who) VALUES ('%s')", user);
        // ruleid: java-jdbc-sql-injection
        stmt.execute(sql);
    }

    public ResultSet sorted(String column) throws SQLException {
        StringBuilder sb = new StringBuilder("SELECT * FROM users ORDER BY ");
        sb.append(column);
        // ruleid: java-jdbc-sql-injection
        PreparedStatement ps = conn.prepareStatement(sb.toString());
        return ps.executeQuery();
    }

    public ResultSet byNameSafe(String name) throws SQLException {
        // ok: java-jdbc-sql-injection
        PreparedStatement ps = conn.prepareStatement("SELECT * FROM users WHERE name = ?");
        ps.setString(1, name);
        // ok: java-jdbc-sql-injection
        return ps.executeQuery();
    }

    public ResultSet all() throws SQLException {
        Statement stmt = conn.createStatement();
        // ok: java-jdbc-sql-injection
        return stmt.executeQuery(BASE + " ORDER BY id");
    }

    public ResultSet constantOnly() throws SQLException {
        Statement stmt = conn.createStatement();
        // ok: java-jdbc-sql-injection
        return stmt.executeQuery("SELECT COUNT(*) " + "FROM users");
    }
}
