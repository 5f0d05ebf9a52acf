import java.io.InputStream;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamReader;

public class XmlStax {
    public XMLStreamReader readUnsafe(InputStream in) throws Exception {
        // ruleid: java-xxe-xmlinputfactory
        XMLInputFactory xif = XMLInputFactory.newInstance();
        return xif.createXMLStreamReader(in);
    }

    public XMLStreamReader readCoalescing(InputStream in) throws Exception {
        // ruleid: java-xxe-xmlinputfactory
        XMLInputFactory factory = XMLInputFactory.newFactory();
        factory.setProperty(XMLInputFactory.IS_COALESCING, true);
        return factory.createXMLStreamReader(in);
    }

    public XMLStreamReader readNoDtd(InputStream in) throws Exception {
        // ok: java-xxe-xmlinputfactory
        XMLInputFactory xif = XMLInputFactory.newInstance();
        xif.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        return xif.createXMLStreamReader(in);
    }

    public XMLStreamReader readNoExternal(InputStream in) throws Exception {
        // ok: java-xxe-xmlinputfactory
        XMLInputFactory xif = XMLInputFactory.newFactory();
        xif.setProperty("javax.xml.stream.isSupportingExternalEntities", false);
        return xif.createXMLStreamReader(in);
    }
}
