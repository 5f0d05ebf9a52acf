import java.security.SecureRandom;
import java.util.Random;
import javax.servlet.http.Cookie;

public class RememberMe {
    public void remember(javax.servlet.http.HttpServletResponse response) {
        // ruleid: java-insecure-random
        String resetToken = Long.toHexString(new Random().nextLong());
        // ok: java-insecure-random
        String sessionToken = Long.toHexString(new SecureRandom().nextLong());
        // ok: java-insecure-random
        int jitter = new Random().nextInt(100);
        double rand = new java.util.Random().nextDouble();
        String rememberMeKey = Double.toString(rand).substring(2);
        // ruleid: java-insecure-random
        Cookie rememberMe = new Cookie("remember", Double.toString(rand));
        response.addCookie(rememberMe);
    }
}
