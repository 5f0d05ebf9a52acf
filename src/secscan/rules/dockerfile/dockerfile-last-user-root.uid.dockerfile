FROM alpine:3.20
# ok: dockerfile-last-user-root
USER rootless
RUN echo building
# ruleid: dockerfile-last-user-root
USER 0:0
ENTRYPOINT ["/bin/sh"]
