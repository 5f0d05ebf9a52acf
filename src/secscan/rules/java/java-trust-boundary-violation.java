import javax.servlet.http.HttpServletRequest;

public class TrustServlet {
    public void doPost(HttpServletRequest request) {
        String bar = request.getParameter("role");
        // ruleid: java-trust-boundary-violation
        request.getSession().setAttribute("userRole", bar);
        // ruleid: java-trust-boundary-violation
        request.getSession().putValue(bar, "10340");
        // ok: java-trust-boundary-violation
        request.getSession().setAttribute("visited", "true");
        // ok: java-trust-boundary-violation
        request.getSession().setAttribute("pageSize", Integer.parseInt(request.getParameter("size")));
    }
}
