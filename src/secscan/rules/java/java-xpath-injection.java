import javax.servlet.http.HttpServletRequest;
import javax.xml.xpath.XPath;
import javax.xml.xpath.XPathConstants;
import javax.xml.xpath.XPathFactory;

public class XPathServlet {
    public void doPost(HttpServletRequest request, org.w3c.dom.Document doc) throws Exception {
        String user = request.getParameter("user");
        XPath xp = XPathFactory.newInstance().newXPath();
        String expression = "/Employees/Employee[@emplid='" + user + "']";
        // ruleid: java-xpath-injection
        xp.evaluate(expression, doc, XPathConstants.NODESET);
        // ruleid: java-xpath-injection
        xp.compile("//user[@name='" + user + "']").evaluate(doc);
        // ok: java-xpath-injection
        xp.evaluate("/Employees/Employee", doc, XPathConstants.NODESET);
        String fixed = "1";
        // ok: java-xpath-injection
        xp.evaluate("/Employees/Employee[@emplid='" + fixed + "']", doc);
    }
}
