import com.thoughtworks.xstream.XStream;

public class Contacts {
    public Object read(String payload) {
        XStream xstream = new XStream();
        // ruleid: java-xstream-deserialization
        return xstream.fromXML(payload);
    }

    public Object readSafe(String payload) {
        XStream xstream = new XStream();
        xstream.allowTypes(new Class[] { Contact.class });
        // ok: java-xstream-deserialization
        return xstream.fromXML(payload);
    }

    public Object readAgain(XStream other, String payload) {
        // ruleid: java-xstream-deserialization
        return other.fromXML(payload);
    }

    public String write(XStream xs, Object o) {
        // ok: java-xstream-deserialization
        return xs.toXML(o);
    }
}
