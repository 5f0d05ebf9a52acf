from lxml import etree

# ruleid: python-xxe-lxml-resolve-entities
open_parser = etree.XMLParser(no_network=False)
# ruleid: python-xxe-lxml-resolve-entities
dtd_parser = etree.XMLParser(load_dtd=True, resolve_entities=True)
# ok: python-xxe-lxml-resolve-entities
safe_parser = etree.XMLParser(resolve_entities=False, no_network=True)
# ok: python-xxe-lxml-resolve-entities
plain_parser = etree.XMLParser(remove_blank_text=True)
