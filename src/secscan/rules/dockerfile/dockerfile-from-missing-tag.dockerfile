ARG BASE_IMAGE=python:3.12-slim

# ruleid: dockerfile-from-missing-tag
FROM golang AS build
RUN go build -o /out/app ./...

# ruleid: dockerfile-from-missing-tag
FROM --platform=linux/amd64 docker.io/library/debian
RUN echo intermediate

# ok: dockerfile-from-missing-tag
FROM build AS test
RUN go test ./...

# ok: dockerfile-from-missing-tag
FROM scratch AS empty

# ok: dockerfile-from-missing-tag
FROM ${BASE_IMAGE} AS runtime

# ok: dockerfile-from-missing-tag
FROM alpine@sha256:0000000000000000000000000000000000000000000000000000000000000000

# ok: dockerfile-from-missing-tag
FROM alpine:3.20
COPY --from=build /out/app /app
USER 10001
