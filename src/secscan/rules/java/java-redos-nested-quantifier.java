import java.util.regex.Pattern;

public class Validators {
    // ruleid: java-redos-nested-quantifier
    static final Pattern ROUTING = Pattern.compile("([0-9]+)+#");
    // ok: java-redos-nested-quantifier
    static final Pattern SAFE = Pattern.compile("([0-9]+)#");

    boolean email(String s) {
        // ruleid: java-redos-nested-quantifier
        return s.matches("^([a-z0-9_.-]+)*@example\\.test$");
    }

    boolean words(String s) {
        // ok: java-redos-nested-quantifier
        return s.matches("(\\w+)\\s(\\w+)");
    }
}
