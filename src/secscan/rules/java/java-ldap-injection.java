import javax.naming.directory.DirContext;
import javax.naming.directory.SearchControls;
import javax.servlet.http.HttpServletRequest;

public class LdapServlet {
    private DirContext ctx;

    public void doPost(HttpServletRequest request) throws Exception {
        String uid = request.getParameter("uid");
        SearchControls sc = new SearchControls();
        String filter = "(&(objectclass=person)(uid=" + uid + "))";
        // ruleid: java-ldap-injection
        ctx.search("ou=users,ou=system", filter, sc);
        // ok: java-ldap-injection
        ctx.search("ou=users,ou=system", "(&(objectclass=person)(uid={0}))", new Object[] { uid }, sc);
        // ruleid: java-ldap-injection
        ctx.search("ou=users,ou=system", "(cn=" + request.getHeader("X-User") + ")", sc);
        // ok: java-ldap-injection
        ctx.search("ou=users,ou=system", "(objectclass=person)", sc);
    }
}
