# ruleid: dockerfile-from-latest-tag
FROM node:latest AS build
RUN npm ci

# ruleid: dockerfile-from-latest-tag
FROM --platform=linux/amd64 registry.example.com:5000/team/runtime:latest
COPY --from=build /app /app

# ok: dockerfile-from-latest-tag
FROM node:20.14-alpine3.20 AS pinned

# ok: dockerfile-from-latest-tag
FROM nginx:latest@sha256:0000000000000000000000000000000000000000000000000000000000000000

# ok: dockerfile-from-latest-tag
FROM myorg/latest-tools:1.2.3
USER 10001
