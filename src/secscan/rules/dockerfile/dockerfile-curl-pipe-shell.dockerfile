FROM debian:bookworm-slim
# ruleid: dockerfile-curl-pipe-shell
RUN curl -fsSL https://example.com/install.sh | sh
# ruleid: dockerfile-curl-pipe-shell
RUN apt-get update && apt-get install -y wget && wget -qO- https://example.com/setup | sudo -E bash -s -- --yes
# ruleid: dockerfile-curl-pipe-shell
RUN set -eux; \
    curl -sSL https://example.com/get-tool \
      | /bin/bash
# ok: dockerfile-curl-pipe-shell
RUN curl -fsSLo /tmp/install.sh https://example.com/install.sh \
    && echo "0000000000000000000000000000000000000000000000000000000000000000  /tmp/install.sh" | sha256sum -c - \
    && sh /tmp/install.sh
# ok: dockerfile-curl-pipe-shell
RUN curl -fsSL https://example.com/tool.tar.gz | tar -xz -C /usr/local/bin
# ok: dockerfile-curl-pipe-shell
RUN echo "curl is installed" | tee /etc/motd && ls /bin/sh
USER 10001
