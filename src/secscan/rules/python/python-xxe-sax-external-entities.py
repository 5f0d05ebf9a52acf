import xml.sax
from xml.dom.pulldom import parseString
from xml.sax import make_parser
from xml.sax.handler import feature_external_ges, feature_external_pes


def xxe_parse(request):
    parser = make_parser()
    # ruleid: python-xxe-sax-external-entities
    parser.setFeature(feature_external_ges, True)
    doc = parseString(request.body.decode("utf-8"), parser=parser)
    return doc


def pes(parser):
    # ruleid: python-xxe-sax-external-entities
    parser.setFeature("http://xml.org/sax/features/external-parameter-entities", True)


def safe(parser):
    # ok: python-xxe-sax-external-entities
    parser.setFeature(feature_external_ges, False)
    # ok: python-xxe-sax-external-entities
    parser.setFeature(xml.sax.handler.feature_namespaces, True)
