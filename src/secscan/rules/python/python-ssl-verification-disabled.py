import ssl
import urllib.request

# ruleid: python-ssl-verification-disabled
ctx = ssl._create_unverified_context()
urllib.request.urlopen("https://internal.example.test", context=ctx)

good = ssl.create_default_context()
# ruleid: python-ssl-verification-disabled
good.check_hostname = False
# ruleid: python-ssl-verification-disabled
good.verify_mode = ssl.CERT_NONE
# ok: python-ssl-verification-disabled
good.verify_mode = ssl.CERT_REQUIRED
# ok: python-ssl-verification-disabled
good.check_hostname = True
