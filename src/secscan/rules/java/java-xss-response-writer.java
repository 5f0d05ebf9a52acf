import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import org.owasp.encoder.Encode;

public class EchoServlet {
    public void doGet(HttpServletRequest request, HttpServletResponse response) throws Exception {
        String q = request.getParameter("q");
        // ruleid: java-xss-response-writer
        response.getWriter().print("<p>" + q + "</p>");
        // ok: java-xss-response-writer
        response.getWriter().print("<p>" + Encode.forHtml(q) + "</p>");
        Object[] obj = { "a", "b" };
        // ruleid: java-xss-response-writer
        response.getWriter().format(q, obj);
        // ok: java-xss-response-writer
        response.getWriter().println("<p>static</p>");
    }
}
