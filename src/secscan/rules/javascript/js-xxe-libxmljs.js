const libxml = require("libxmljs");

function handleXmlUpload(data) {
  // ruleid: js-xxe-libxmljs
  const xmlDoc = libxml.parseXml(data, { noblanks: true, noent: true, nocdata: true });
  // ok: js-xxe-libxmljs
  const safeDoc = libxml.parseXml(data, { noblanks: true, noent: false, nonet: true });
  // ruleid: js-xxe-libxmljs
  const other = libxml.parseXmlString(data, { noent: true });
  // ok: js-xxe-libxmljs
  const plain = libxml.parseXmlString(data);
  return [xmlDoc, safeDoc, other, plain];
}
