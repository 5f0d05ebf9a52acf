from lxml import etree


def login(request):
    user = request.POST["user"]
    tree = etree.parse("users.xml")
    # ruleid: python-xpath-injection
    found = tree.xpath("//user[@name='" + user + "']")
    # ok: python-xpath-injection
    safe = tree.xpath("//user[@name=$name]", name=user)
    return found, safe


def find(request, root):
    # ruleid: python-xpath-injection
    return root.findall(".//item[@id='%s']" % request.GET["id"])


def static_lookup(tree, name):
    # ok: python-xpath-injection
    return tree.xpath("//user[@name='" + name + "']")
