import xml.parsers.expat
from xml.parsers import expat

p = expat.ParserCreate()
# ruleid: python-xxe-expat-external-entities
p.SetParamEntityParsing(xml.parsers.expat.XML_PARAM_ENTITY_PARSING_ALWAYS)
# ruleid: python-xxe-expat-external-entities
p.UseForeignDTD(True)
# ok: python-xxe-expat-external-entities
p.SetParamEntityParsing(xml.parsers.expat.XML_PARAM_ENTITY_PARSING_NEVER)
# ok: python-xxe-expat-external-entities
p.UseForeignDTD(False)
