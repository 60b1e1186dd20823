# foitrack in a container: a static binary (pure-Go SQLite, no cgo) on
# distroless, as the non-root user nonroot (uid 65532), data in the /data
# volume. Build and run:
#
#   docker build -t foitrack .
#   docker run -d --name foitrack -p 127.0.0.1:8080:8080 -v foitrack-data:/data foitrack
#
# The image has no shell, curl or pdftotext: its HEALTHCHECK is
# `foitrack healthcheck`, and the text of PDF documents (search, the
# personal-data scan) needs the `full` target instead:
#
#   docker build --target full -t foitrack:full .

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
# zxcvbn is a local copy (see third_party/zxcvbn/FOITRACK.md), replaced in go.mod.
COPY third_party ./third_party
RUN go mod download
COPY . .
# -buildvcs=auto stamps the git revision (foitrack --version) when the build
# context has the .git folder, and builds without it otherwise.
RUN CGO_ENABLED=0 go build -trimpath -buildvcs=auto -o /out/foitrack ./cmd/foitrack \
    && mkdir -p /out/data

# The same binary on Debian slim, with pdftotext for PDF text, as a
# dedicated non-root user.
FROM debian:bookworm-slim AS full
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ca-certificates tzdata poppler-utils tesseract-ocr catdoc \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin foitrack
COPY --from=build /out/foitrack /usr/local/bin/foitrack
COPY --from=build --chown=10001:10001 /out/data /data
ENV FOITRACK_DATA=/data FOITRACK_ADDR=0.0.0.0:8080
USER foitrack
EXPOSE 8080
VOLUME ["/data"]
HEALTHCHECK --interval=30s --timeout=6s --start-period=30s --retries=3 CMD ["/usr/local/bin/foitrack", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/foitrack"]
CMD ["serve"]

# The default image (last stage): distroless static, user nonroot.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/foitrack /usr/local/bin/foitrack
COPY --from=build --chown=65532:65532 /out/data /data
ENV FOITRACK_DATA=/data FOITRACK_ADDR=0.0.0.0:8080
USER nonroot:nonroot
EXPOSE 8080
VOLUME ["/data"]
HEALTHCHECK --interval=30s --timeout=6s --start-period=30s --retries=3 CMD ["/usr/local/bin/foitrack", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/foitrack"]
CMD ["serve"]
