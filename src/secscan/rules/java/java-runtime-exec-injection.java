import javax.servlet.http.HttpServletRequest;

public class CmdServlet {
    public void doGet(HttpServletRequest request) throws Exception {
        String host = request.getParameter("host");
        Runtime r = Runtime.getRuntime();
        // ruleid: java-runtime-exec-injection
        r.exec("ping -c 1 " + host);
        String[] argsEnv = { host };
        // ruleid: java-runtime-exec-injection
        r.exec("env", argsEnv);
        // ruleid: java-runtime-exec-injection
        new ProcessBuilder("sh", "-c", "nslookup " + host).start();
        // ok: java-runtime-exec-injection
        r.exec("uptime");
        String fixed = "date";
        // ok: java-runtime-exec-injection
        new ProcessBuilder(fixed).start();
    }

    public void build(String target) throws Exception {
        // ok: java-runtime-exec-injection
        Runtime.getRuntime().exec("make " + target);
    }
}
