import java.io.InputStream;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.net.Socket;
import javax.servlet.http.HttpServletRequest;
import org.apache.commons.io.serialization.ValidatingObjectInputStream;

public class Sessions {
    public Object fromRequest(HttpServletRequest req) throws Exception {
        ObjectInputStream ois = new ObjectInputStream(req.getInputStream());
        // ruleid: java-objectinputstream-deserialization
        return ois.readObject();
    }

    public Object fromSocket(Socket socket) throws Exception {
        try (ObjectInputStream in = new ObjectInputStream(socket.getInputStream())) {
            // ruleid: java-objectinputstream-deserialization
            return in.readUnshared();
        }
    }

    public Object inline(InputStream body) throws Exception {
        // ruleid: java-objectinputstream-deserialization
        return new ObjectInputStream(body).readObject();
    }

    public Object filtered(InputStream body) throws Exception {
        ObjectInputStream ois = new ObjectInputStream(body);
        ois.setObjectInputFilter(ObjectInputFilter.Config.createFilter("com.example.dto.*;!*"));
        // ok: java-objectinputstream-deserialization
        return ois.readObject();
    }

    public Object validating(InputStream body) throws Exception {
        ValidatingObjectInputStream vois = new ValidatingObjectInputStream(body);
        vois.accept(SessionData.class);
        // ok: java-objectinputstream-deserialization
        return vois.readObject();
    }

    public void write(OutputStream out, Object value) throws Exception {
        ObjectOutputStream oos = new ObjectOutputStream(out);
        // ok: java-objectinputstream-deserialization
        oos.writeObject(value);
    }
}
