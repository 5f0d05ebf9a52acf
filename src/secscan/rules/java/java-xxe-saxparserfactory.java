import java.io.InputStream;
import javax.xml.parsers.SAXParser;
import javax.xml.parsers.SAXParserFactory;
import org.xml.sax.helpers.DefaultHandler;

public class XmlSax {
    private static final String DISALLOW_DOCTYPE = "http://apache.org/xml/features/disallow-doctype-decl";
    private SAXParserFactory shared;

    public void parseUnsafe(InputStream in, DefaultHandler handler) throws Exception {
        // ruleid: java-xxe-saxparserfactory
        SAXParserFactory spf = SAXParserFactory.newInstance();
        SAXParser parser = spf.newSAXParser();
        parser.parse(in, handler);
    }

    public void init() throws Exception {
        // ruleid: java-xxe-saxparserfactory
        shared = SAXParserFactory.newInstance();
        shared.setNamespaceAware(true);
    }

    public void parseNoDoctype(InputStream in, DefaultHandler handler) throws Exception {
        // ok: java-xxe-saxparserfactory
        SAXParserFactory spf = SAXParserFactory.newInstance();
        spf.setFeature(DISALLOW_DOCTYPE, true);
        spf.newSAXParser().parse(in, handler);
    }

    public void parseNoExternal(InputStream in, DefaultHandler handler) throws Exception {
        // ok: java-xxe-saxparserfactory
        SAXParserFactory spf = SAXParserFactory.newInstance();
        spf.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
        spf.setFeature("http://xml.org/sax/features/external-general-entities", false);
        spf.newSAXParser().parse(in, handler);
    }

    public void initSafe() throws Exception {
        // ok: java-xxe-saxparserfactory
        shared = SAXParserFactory.newInstance();
        shared.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    }
}
