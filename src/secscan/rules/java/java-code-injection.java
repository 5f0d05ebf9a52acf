import javax.script.ScriptEngine;
import javax.script.ScriptEngineManager;
import org.springframework.expression.spel.standard.SpelExpressionParser;
import org.springframework.web.bind.annotation.RequestParam;

public class CalcController {
    public Object calc(@RequestParam String expr) throws Exception {
        ScriptEngine engine = new ScriptEngineManager().getEngineByName("javascript");
        // ruleid: java-code-injection
        Object a = engine.eval(expr);
        // ruleid: java-code-injection
        Object b = new SpelExpressionParser().parseExpression(expr).getValue();
        // ok: java-code-injection
        Object c = engine.eval("1 + 1");
        // ok: java-code-injection
        Object d = new SpelExpressionParser().parseExpression("#root.name").getValue();
        return a.toString() + b + c + d;
    }
}
