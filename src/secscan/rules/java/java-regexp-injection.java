import java.util.regex.Pattern;
import org.springframework.web.bind.annotation.RequestParam;

public class SearchController {
    public boolean search(@RequestParam String q, String text) {
        // ruleid: java-regexp-injection
        Pattern p = Pattern.compile(q);
        // ok: java-regexp-injection
        Pattern quoted = Pattern.compile(Pattern.quote(q));
        // ruleid: java-regexp-injection
        boolean m = text.matches(".*" + q + ".*");
        // ok: java-regexp-injection
        boolean c = text.contains(q);
        return p.matcher(text).find() && quoted.matcher(text).find() && m && c;
    }
}
