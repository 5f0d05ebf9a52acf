# Near-miss negative (must not be reported): root is only used for setup and
# the last USER is unprivileged (plain comment, see dockerfile-missing-user).
FROM alpine:3.20
USER root
RUN apk add --no-cache curl
USER 10001:10001
CMD ["/app"]
