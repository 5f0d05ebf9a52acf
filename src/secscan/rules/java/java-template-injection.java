import java.io.StringReader;
import java.io.StringWriter;
import org.apache.velocity.VelocityContext;
import org.apache.velocity.app.Velocity;
import org.springframework.web.bind.annotation.RequestParam;

public class TemplateController {
    public String render(@RequestParam String tpl, @RequestParam String name) throws Exception {
        VelocityContext ctx = new VelocityContext();
        ctx.put("name", name);
        StringWriter w = new StringWriter();
        // ruleid: java-template-injection
        Velocity.evaluate(ctx, w, "tag", tpl);
        // ok: java-template-injection
        Velocity.evaluate(ctx, w, "tag", "Hello $name");
        // ruleid: java-template-injection
        freemarker.template.Template t = new Template("t", new StringReader(tpl), cfg);
        // ok: java-template-injection
        freemarker.template.Template f = new Template("t", new StringReader("Hello ${name}"), cfg);
        return w.toString();
    }
}
