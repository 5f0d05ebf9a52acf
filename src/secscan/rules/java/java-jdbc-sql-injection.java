import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import org.springframework.web.bind.annotation.RequestParam;

public class UserServlet {
    private Connection conn;

    public void doPost(HttpServletRequest request, HttpServletResponse response) throws Exception {
        String param = request.getParameter("name");
        Statement stmt = conn.createStatement();
        // ruleid: java-jdbc-sql-injection
        stmt.executeQuery("SELECT * FROM users WHERE name = '" + param + "'");
        PreparedStatement ps = conn.prepareStatement("SELECT * FROM users WHERE name = ?");
        // ok: java-jdbc-sql-injection
        ps.setString(1, param);
        String bar = "safe!";
        // ok: java-jdbc-sql-injection
        stmt.executeQuery("SELECT * FROM users WHERE name = '" + bar + "'");
        StringBuilder sb = new StringBuilder("DELETE FROM users WHERE id = ");
        sb.append(request.getHeader("X-Id"));
        // ruleid: java-jdbc-sql-injection
        stmt.executeUpdate(sb.toString());
    }

    public ResultSet search(@RequestParam String userId) throws Exception {
        // ruleid: java-jdbc-sql-injection
        return conn.prepareCall("{call find_user('" + userId + "')}").executeQuery();
    }

    public ResultSet byId(@RequestParam("id") String id) throws Exception {
        // ok: java-jdbc-sql-injection
        return conn.createStatement().executeQuery("SELECT * FROM users WHERE id = " + Integer.parseInt(id));
    }

    public ResultSet internal(String table) throws Exception {
        // ok: java-jdbc-sql-injection
        return conn.createStatement().executeQuery("SELECT * FROM " + table);
    }
}
