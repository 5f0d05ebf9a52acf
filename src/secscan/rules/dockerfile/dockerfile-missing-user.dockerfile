# Multi-stage build: the builder stage may run as root, only the final stage
# matters.
# ok: dockerfile-missing-user
FROM golang:1.22-bookworm AS build
WORKDIR /src
COPY . .
RUN go build -o /out/app ./cmd/app

# ok: dockerfile-missing-user
FROM build AS test
RUN go test ./...

# ruleid: dockerfile-missing-user
FROM gcr.io/distroless/static-debian12:nonroot-amd64
COPY --from=build /out/app /app
# A comment mentioning USER root does not count as an instruction.
ENTRYPOINT ["/app"]
