import javax.servlet.http.Cookie;
import javax.servlet.http.HttpServletResponse;

public class Cookies {
    public void set(HttpServletResponse response, String value) {
        Cookie cookie = new Cookie("SomeCookie", value);
        cookie.setSecure(true);
        cookie.setHttpOnly(false);
        // ruleid: java-cookie-missing-httponly
        response.addCookie(cookie);
    }

    public void plain(HttpServletResponse response, String value) {
        Cookie cookie = new Cookie("SomeCookie", value);
        // ruleid: java-cookie-missing-httponly
        response.addCookie(cookie);
    }

    public void good(HttpServletResponse response, String value) {
        Cookie cookie = new Cookie("SomeCookie", value);
        cookie.setSecure(true);
        cookie.setHttpOnly(true);
        // ok: java-cookie-missing-httponly
        response.addCookie(cookie);
    }

    public void passed(HttpServletResponse response, Cookie existing) {
        // ok: java-cookie-missing-httponly
        response.addCookie(existing);
    }
}
