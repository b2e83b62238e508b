# One image per service of this repository: the router, any subgraph, or the demo seed job.
#
#   docker build --build-arg SERVICE=orders -t shop-orders:dev .
#
# The build stage installs the locked dependencies (`npm ci`) and compiles every service into its
# self-contained ES module (scripts/build.ts: every dependency bundled, SDL parsed at build time);
# that stage is the same for every SERVICE, so building all eleven images runs it once. The runtime
# image is Debian's slim base, the `node` binary of NODE_IMAGE and the one bundle (plus, for the
# router, the composed supergraph): no node_modules, no sources, no npm, so dev dependencies never
# reach it. It runs as the numeric user 10001, writes only to /tmp (mount a tmpfs there; the root
# filesystem may be read-only) and runs Node as PID 1 without a shell, so SIGTERM starts the
# service's graceful shutdown. `npm run images` builds every service this way with podman (README,
# "Run with Docker").
#
# Build arguments: SERVICE (required), NODE_IMAGE and BASE_IMAGE (the Node image the build runs on
# and whose node binary the runtime gets, and the runtime's Debian; both bookworm), SOURCE_MAPS=true
# (adds main.mjs.map beside the bundle: then run with NODE_OPTIONS=--enable-source-maps for stack
# traces in TypeScript terms, about half a second more per start), NODE_EXTRA_CA_CERTS (a CA bundle
# for npm's HTTPS behind a TLS-inspecting proxy: mount it for the build, e.g.
# `-v /etc/ssl/certs:/etc/ssl/certs:ro`; it is never copied into an image), VERSION and REVISION
# (labels).

ARG NODE_IMAGE=node:24-bookworm-slim
ARG BASE_IMAGE=debian:bookworm-slim

# ---------------------------------------------------------------- manifests
# Only the package manifests, so the `npm ci` layer below is reused until one of them changes.
FROM ${NODE_IMAGE} AS manifests
WORKDIR /src
COPY . .
RUN find . -type f ! -name package.json ! -name package-lock.json ! -name .npmrc -delete \
 && find . -mindepth 1 -depth -type d -empty -delete

# ---------------------------------------------------------------- build (every service at once)
FROM ${NODE_IMAGE} AS build
WORKDIR /src
ARG NODE_EXTRA_CA_CERTS=
COPY --from=manifests /src/ ./
# Everything locked, dev dependencies included: esbuild and tsx build the bundles, and nothing of
# node_modules reaches the runtime image. No install scripts: none is needed to bundle (esbuild's
# binary comes as its platform package).
RUN npm ci --ignore-scripts --no-audit --no-fund --no-update-notifier --loglevel=warn
COPY . .
ARG SOURCE_MAPS=false
# /out/<service>/ is what the runtime image of <service> gets under /app: dist/<service>/main.mjs
# and its licence notices (main.mjs.LEGAL.txt, when the bundle has any), the map on request, and for
# the router schema/supergraph.graphql, where its default SUPERGRAPH_PATH (../../schema from the
# bundle) finds it, and the storefront's trusted documents (TRUSTED_DOCUMENTS=/app/trusted-documents/
# storefront.json serves the storefront's operations only).
RUN node_modules/.bin/tsx scripts/build.ts \
 && node_modules/.bin/tsx scripts/build.ts seed \
 && for bundle in dist/*/main.mjs; do \
      service=$(basename "$(dirname "$bundle")"); \
      mkdir -p "/out/$service/dist/$service"; \
      cp "$bundle" "/out/$service/dist/$service/"; \
      if [ -f "$bundle.LEGAL.txt" ]; then cp "$bundle.LEGAL.txt" "/out/$service/dist/$service/"; fi; \
      if [ "$SOURCE_MAPS" = true ]; then cp "$bundle.map" "/out/$service/dist/$service/"; fi; \
    done \
 && mkdir -p /out/router/schema /out/router/trusted-documents \
 && cp schema/supergraph.graphql /out/router/schema/ \
 && cp web/persisted-query-manifest.json /out/router/trusted-documents/storefront.json

# ---------------------------------------------------------------- the chosen service
FROM build AS bundle
ARG SERVICE
WORKDIR /out
RUN test -n "${SERVICE}" && test -d "${SERVICE}" \
 || { echo "build with --build-arg SERVICE=<one of:" * ">" >&2; exit 1; }

FROM ${NODE_IMAGE} AS node

# ---------------------------------------------------------------- runtime
FROM ${BASE_IMAGE}
ARG SERVICE
COPY --from=node /usr/local/bin/node /usr/local/bin/node
# The V8 compile cache lives on the writable /tmp: a restarted container starts faster.
ENV NODE_ENV=production \
    NODE_COMPILE_CACHE=/tmp/node-compile-cache
WORKDIR /app/dist/${SERVICE}
COPY --from=bundle /out/${SERVICE}/ /app/
USER 10001:10001
# Node itself is PID 1 (exec form: no shell in between), so it receives SIGTERM.
CMD ["node", "main.mjs"]

# Last, so a new revision only changes metadata. Every image bundles @apollo/federation-internals
# (Elastic License 2.0, through @apollo/subgraph or the gateway); the bundled packages' licence
# notices are in main.mjs.LEGAL.txt beside the bundle.
ARG NODE_IMAGE
ARG BASE_IMAGE
ARG VERSION=dev
ARG REVISION=unknown
LABEL org.opencontainers.image.title="shop-${SERVICE}" \
      org.opencontainers.image.description="shop: the ${SERVICE} service of the e-commerce supergraph" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.licenses="MIT AND Elastic-2.0" \
      org.opencontainers.image.base.name="${BASE_IMAGE}" \
      org.shop.node-image="${NODE_IMAGE}"
