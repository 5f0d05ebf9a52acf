import java.io.IOException;

public class Tools {
    public Process ping(String host) throws IOException {
        // ruleid: java-runtime-exec-injection
        return Runtime.getRuntime().exec("ping -c 1 " + host);
    }

    public Process run(String command) throws IOException {
        Runtime rt = Runtime.getRuntime();
        // ruleid: java-runtime-exec-injection
        return rt.exec(command);
    }

    public Process shell(String filter) throws IOException {
        // ruleid: java-runtime-exec-injection
        return Runtime.getRuntime().exec(new String[]{"/bin/sh", "-c", "grep " + filter + " /var/log/app.log"});
    }

    public Process builder(String dir) throws IOException {
        // ruleid: java-runtime-exec-injection
        return new ProcessBuilder("bash", "-c", "du -sh " + dir).start();
    }

    public Process uptime() throws IOException {
        // ok: java-runtime-exec-injection
        return Runtime.getRuntime().exec("uptime");
    }

    public Process pingArgs(String host) throws IOException {
        // ok: java-runtime-exec-injection
        return Runtime.getRuntime().exec(new String[]{"ping", "-c", "1", host});
    }

    public Process builderArgs(String dir) throws IOException {
        // ok: java-runtime-exec-injection
        return new ProcessBuilder("du", "-sh", dir).start();
    }
}
