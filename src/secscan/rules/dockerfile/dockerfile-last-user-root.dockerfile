FROM debian:bookworm-slim
RUN useradd --system --uid 10001 app
# ok: dockerfile-last-user-root
USER root
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates
# ok: dockerfile-last-user-root
USER app
RUN id
# ruleid: dockerfile-last-user-root
USER root
CMD ["/usr/local/bin/server"]
