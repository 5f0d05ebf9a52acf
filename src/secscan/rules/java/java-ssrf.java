import java.io.InputStream;
import java.net.URL;
import org.springframework.web.bind.annotation.RequestParam;

public class SsrfTask {
    public String fetch(@RequestParam String url) throws Exception {
        // ruleid: java-ssrf
        try (InputStream in = new URL(url).openStream()) {
            return new String(in.readAllBytes());
        }
    }

    public String fixed(@RequestParam String id) throws Exception {
        // ok: java-ssrf
        try (InputStream in = new URL("https://api.example.test/items/1").openStream()) {
            return id;
        }
    }

    public void rest(@RequestParam("target") String target, org.springframework.web.client.RestTemplate rt) {
        // ruleid: java-ssrf
        rt.getForObject(target, String.class);
    }

    public void config(String configured) throws Exception {
        // ok: java-ssrf
        new URL(configured).openStream();
    }
}
