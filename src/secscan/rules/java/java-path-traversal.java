import java.io.File;
import java.io.FileInputStream;
import java.nio.file.Files;
import java.nio.file.Paths;
import javax.servlet.http.HttpServletRequest;
import org.apache.commons.io.FilenameUtils;
import org.springframework.web.bind.annotation.PathVariable;

public class FileServlet {
    public void doGet(HttpServletRequest request) throws Exception {
        String name = request.getParameter("file");
        // ruleid: java-path-traversal
        FileInputStream in = new FileInputStream("/srv/files/" + name);
        // ruleid: java-path-traversal
        File f = new File("/srv/files", name);
        // ok: java-path-traversal
        File safe = new File("/srv/files", FilenameUtils.getName(name));
        // ok: java-path-traversal
        File fixed = new File("/srv/files/readme.txt");
    }

    public byte[] download(@PathVariable String doc) throws Exception {
        // ruleid: java-path-traversal
        return Files.readAllBytes(Paths.get("/docs", doc));
    }

    public byte[] internal(String doc) throws Exception {
        // ok: java-path-traversal
        return Files.readAllBytes(Paths.get("/docs", doc));
    }
}
