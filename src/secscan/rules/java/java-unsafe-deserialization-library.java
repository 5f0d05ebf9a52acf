import com.fasterxml.jackson.databind.ObjectMapper;
import java.beans.XMLDecoder;
import java.io.InputStream;
import org.yaml.snakeyaml.Yaml;

public class Loaders {
    public Object decode(InputStream in) {
        // ruleid: java-unsafe-deserialization-library
        return new XMLDecoder(in).readObject();
    }

    public void mapper(ObjectMapper mapper) {
        // ruleid: java-unsafe-deserialization-library
        mapper.enableDefaultTyping();
        // ok: java-unsafe-deserialization-library
        mapper.findAndRegisterModules();
    }

    public Object yaml(String text) {
        // ruleid: java-unsafe-deserialization-library
        return new Yaml().load(text);
    }

    public Object safeYaml(String text) {
        // ok: java-unsafe-deserialization-library
        return new Yaml(new SafeConstructor(new LoaderOptions())).load(text);
    }
}
