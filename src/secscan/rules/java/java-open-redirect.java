import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import org.springframework.web.bind.annotation.RequestParam;

public class RedirectServlet {
    public void doGet(HttpServletRequest request, HttpServletResponse response) throws Exception {
        // ruleid: java-open-redirect
        response.sendRedirect(request.getParameter("next"));
        // ok: java-open-redirect
        response.sendRedirect("/home");
    }

    public String go(@RequestParam String to) {
        // ruleid: java-open-redirect
        return "redirect:" + to;
    }

    public String home() {
        // ok: java-open-redirect
        return "redirect:/home";
    }
}
