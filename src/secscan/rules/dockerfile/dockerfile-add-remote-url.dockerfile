FROM alpine:3.20
# ruleid: dockerfile-add-remote-url
ADD https://example.com/releases/tool-1.2.3.tar.gz /tmp/tool.tar.gz
# ruleid: dockerfile-add-remote-url
ADD --chown=10001:10001 http://downloads.example.com/agent /usr/local/bin/agent
# ruleid: dockerfile-add-remote-url
ADD ["https://example.com/config.json", "/etc/app/config.json"]
# ok: dockerfile-add-remote-url
ADD --checksum=sha256:0000000000000000000000000000000000000000000000000000000000000000 https://example.com/releases/tool-1.2.3.tar.gz /tmp/
# ok: dockerfile-add-remote-url
ADD ./vendor/tool-1.2.3.tar.gz /opt/
# ok: dockerfile-add-remote-url
COPY https-proxy.conf /etc/proxy.conf
USER 10001
