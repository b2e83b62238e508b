#!/usr/bin/env bash
# Podman on this kind of machine (no Docker daemon, no systemd), for scripts/images.sh, the compose
# spec and people running the compose stack locally:
#
#   scripts/podman.sh env            export lines (CONTAINERS_CONF, DOCKER_HOST): eval "$(scripts/podman.sh env)"
#   scripts/podman.sh socket-up      start podman's Docker-compatible API socket (for docker-compose), once
#   scripts/podman.sh socket-down    stop the socket this script started
#   scripts/podman.sh compose ARGS   docker-compose through that socket (starts it when needed);
#                                    LOCAL_INFRA=1 adds deploy/compose/local-infra.yml
#   scripts/podman.sh healthchecks [SECS] PROJECT
#                                    run the health checks of a compose project's containers in a loop
#                                    (podman schedules them with systemd timers, absent here) until
#                                    every one is healthy or SECS (default 180) pass
#
# Sourced (`. scripts/podman.sh`), it only defines the functions and exports CONTAINERS_CONF.
# Installs podman, runc and docker-compose (apt) when missing. Its files live under INFRA_DIR/podman
# (default <repo>/.local/podman): containers.conf and the socket. Two settings this machine needs
# (and a laptop does not mind): runc instead of crun (crun fails on cgroup v1 hybrid hosts), and
# ulimits podman does not try to raise (no CAP_SYS_RESOURCE in a sandbox).
set -euo pipefail

PODMAN_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PODMAN_INFRA_DIR=${INFRA_DIR:-$PODMAN_ROOT/.local}
case $PODMAN_INFRA_DIR in /*) ;; *) PODMAN_INFRA_DIR=$PWD/$PODMAN_INFRA_DIR ;; esac
PODMAN_DIR=$PODMAN_INFRA_DIR/podman
PODMAN_SOCKET=${PODMAN_SOCKET:-$PODMAN_DIR/podman.sock}
PODMAN_SOCKET_PID=$PODMAN_SOCKET.pid
export CONTAINERS_CONF=${CONTAINERS_CONF:-$PODMAN_DIR/containers.conf}

podman_say() { printf '==> %s\n' "$*" >&2; }
podman_die() { printf 'podman: ERROR: %s\n' "$*" >&2; exit 1; }

PODMAN_APT_UPDATED=
# apt-get install PKG (for WHAT, in messages); apt-get update once, only when something is missing.
podman_apt_install() {
  local pkg=$1 what=$2 log=$PODMAN_DIR/apt.log
  [ "$(id -u)" -eq 0 ] || podman_die "$what is missing; install it with: sudo apt-get install -y $pkg"
  mkdir -p "$PODMAN_DIR"
  podman_say "installing $pkg (apt) for $what"
  if [ -z "$PODMAN_APT_UPDATED" ]; then
    apt-get update >>"$log" 2>&1 || { tail -n 20 "$log" >&2; podman_die "apt-get update failed"; }
    PODMAN_APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y "$pkg" >>"$log" 2>&1 ||
    { tail -n 20 "$log" >&2; podman_die "apt-get install $pkg failed"; }
}

# apt-get install PKG when COMMAND is missing.
podman_ensure() {
  command -v "$1" >/dev/null 2>&1 || podman_apt_install "$2" "'$1'"
}

# apt-get install PKG unless one of the FILES exists (PKG then FILES).
podman_ensure_file() {
  local pkg=$1 file
  shift
  for file in "$@"; do [ -e "$file" ] && return 0; done
  podman_apt_install "$pkg" "$1"
}

# Service-name DNS between the containers of a network (what compose relies on): the CNI backend
# (Debian's podman 4.3 default) needs the dnsname plugin, netavark needs aardvark-dns. Without it
# podman makes networks with dns_enabled false and every `postgres`, `kafka`... fails to resolve.
podman_dns() {
  case $(podman info --format '{{.Host.NetworkBackend}}' 2>/dev/null) in
    cni)
      podman_ensure_file golang-github-containernetworking-plugin-dnsname \
        /usr/lib/cni/dnsname /usr/libexec/cni/dnsname /usr/local/lib/cni/dnsname /opt/cni/bin/dnsname
      ;;
    netavark)
      podman_ensure_file aardvark-dns /usr/lib/podman/aardvark-dns /usr/libexec/podman/aardvark-dns
      ;;
  esac
}

# podman + runc + the containers.conf above + DNS on networks; idempotent and quick once done.
podman_setup() {
  podman_ensure podman podman
  podman_ensure runc runc
  mkdir -p "$PODMAN_DIR"
  # Open files: this shell's hard limit, at most 65536 (a limit can be lowered, never raised here).
  local nofile want
  nofile=$(ulimit -Hn)
  [ "$nofile" = unlimited ] || [ "$nofile" -gt 65536 ] && nofile=65536
  want=$(cat <<EOF
# Written by scripts/podman.sh: edit the script, not this file.
[containers]
# The sandbox cannot raise resource limits (no CAP_SYS_RESOURCE); podman's defaults try to.
default_ulimits = ["nofile=$nofile:$nofile", "nproc=4096:4096"]

[engine]
# crun (podman's default) fails on hybrid cgroup v1 hosts; runc works.
runtime = "runc"
EOF
)
  if [ "$CONTAINERS_CONF" = "$PODMAN_DIR/containers.conf" ] && [ "$(cat "$CONTAINERS_CONF" 2>/dev/null)" != "$want" ]; then
    printf '%s\n' "$want" >"$CONTAINERS_CONF"
  fi
  podman_dns
}

podman_socket_alive() {
  local pid
  pid=$({ tr -dc '0-9' <"$PODMAN_SOCKET_PID"; } 2>/dev/null || true)
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && [ -S "$PODMAN_SOCKET" ] &&
    curl -fsS --max-time 5 --unix-socket "$PODMAN_SOCKET" http://d/_ping >/dev/null 2>&1
}

# podman's Docker API on a Unix socket, detached; its pid in $PODMAN_SOCKET.pid.
podman_socket_up() {
  podman_setup
  podman_ensure curl curl
  podman_socket_alive && return 0
  mkdir -p "$(dirname "$PODMAN_SOCKET")"
  rm -f "$PODMAN_SOCKET"
  # setsid: the service outlives this shell; --time=0: no idle timeout (socket-down stops it).
  # shellcheck disable=SC2016  # $$ is the inner shell's
  setsid bash -c 'echo $$ >"$0"; exec podman system service --time=0 "unix://$1"' \
    "$PODMAN_SOCKET_PID" "$PODMAN_SOCKET" >>"$PODMAN_DIR/socket.log" 2>&1 </dev/null &
  local end=$((SECONDS + 30))
  until podman_socket_alive; do
    ((SECONDS < end)) || { tail -n 20 "$PODMAN_DIR/socket.log" >&2; podman_die "podman's API socket did not answer"; }
    sleep 0.2
  done
}

podman_socket_down() {
  local pid
  pid=$({ tr -dc '0-9' <"$PODMAN_SOCKET_PID"; } 2>/dev/null || true)
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null &&
    [[ "$(tr '\0' ' ' <"/proc/$pid/cmdline")" == *"system service"* ]]; then
    kill -TERM "$pid"
    local end=$((SECONDS + 20))
    while kill -0 "$pid" 2>/dev/null && ((SECONDS < end)); do sleep 0.2; done
  fi
  rm -f "$PODMAN_SOCKET_PID" "$PODMAN_SOCKET"
}

# The compose files: docker-compose.yml, plus the locally built infrastructure when LOCAL_INFRA=1.
podman_compose_files() {
  printf -- '-f\n%s\n' "$PODMAN_ROOT/docker-compose.yml"
  [ "${LOCAL_INFRA:-0}" = 1 ] && printf -- '-f\n%s\n' "$PODMAN_ROOT/deploy/compose/local-infra.yml"
  return 0
}

# A network of compose project $1 made before podman could resolve names (dns_enabled false) would
# be reused by compose and its containers could not find each other: remove it while it is unused.
podman_network_fresh() {
  local network=${1}_default
  [ "$(podman network inspect --format '{{.DNSEnabled}}' "$network" 2>/dev/null)" = false ] || return 0
  podman_say "removing network $network (made without DNS)"
  podman network rm "$network" >/dev/null ||
    podman_die "network $network has no DNS and is in use: docker-compose down it first"
}

# docker-compose through podman's socket, project COMPOSE_PROJECT_NAME (default shop). While an `up`
# runs, the project's health checks are run every second (podman would run them from systemd
# timers), so `depends_on: condition: service_healthy` can be met; the `up` fails, with the logs of
# the containers at fault, as soon as a container restarts or exits with an error, or when it has
# not finished after COMPOSE_UP_TIMEOUT seconds (default 300).
podman_compose() {
  podman_ensure docker-compose docker-compose
  podman_socket_up
  export COMPOSE_PROJECT_NAME=${COMPOSE_PROJECT_NAME:-shop}
  local files arg up=0
  mapfile -t files < <(podman_compose_files)
  for arg in "$@"; do [ "$arg" = up ] && up=1; done
  if [ "$up" = 0 ]; then
    DOCKER_HOST=unix://$PODMAN_SOCKET docker-compose "${files[@]}" "$@"
    return
  fi
  podman_network_fresh "$COMPOSE_PROJECT_NAME"
  DOCKER_HOST=unix://$PODMAN_SOCKET docker-compose "${files[@]}" "$@" &
  local compose=$! status=0 out end=$((SECONDS + ${COMPOSE_UP_TIMEOUT:-300}))
  # Interrupted, this script takes the `up` with it (it would go on creating containers).
  # shellcheck disable=SC2064  # the pid is known now
  trap "kill $compose 2>/dev/null || true" EXIT
  trap 'exit 143' INT TERM
  while kill -0 "$compose" 2>/dev/null; do
    out=$(podman_healthcheck_pass "$COMPOSE_PROJECT_NAME") || status=$?
    if [ "$status" = 2 ] || ((SECONDS >= end)); then
      kill "$compose" 2>/dev/null || true
      wait "$compose" 2>/dev/null || true
      trap - EXIT INT TERM
      podman_report "$COMPOSE_PROJECT_NAME" "$out"
      if [ "$status" = 2 ]; then podman_say "compose up failed"; else podman_say "compose up did not finish in ${COMPOSE_UP_TIMEOUT:-300}s"; fi
      return 1
    fi
    status=0
    sleep 1
  done
  wait "$compose" || status=$?
  trap - EXIT INT TERM
  ((status == 0)) || podman_report "$COMPOSE_PROJECT_NAME" "$(podman_healthcheck_pass "$COMPOSE_PROJECT_NAME")"
  return "$status"
}

# One pass over compose project $1: first the state of every container (one inspect), then, when
# nothing has failed, the health check of each running container that has one and is not healthy
# yet, all at once. Prints one line per container not there yet: `restarted NAME COUNT` (it crashed
# and was restarted), `exited NAME CODE` (a non-zero exit), `pending NAME` (not healthy yet).
# Returns 0 when every health check passes and nothing failed, 1 while something is pending, 2 when
# a container restarted or exited with an error (waiting longer will not help).
podman_healthcheck_pass() {
  local project=$1 name state health code restarts result=0 ids checks=()
  mapfile -t ids < <(podman ps -aq --filter "label=com.docker.compose.project=$project" 2>/dev/null)
  [ ${#ids[@]} -gt 0 ] || { echo "no containers"; return 1; }
  while IFS='|' read -r name state health code restarts; do
    [ -n "$name" ] || continue
    if [ "${restarts:-0}" != 0 ]; then echo "restarted $name $restarts"; result=2; continue; fi
    if [ "$state" = exited ] || [ "$state" = stopped ]; then
      [ "$code" = 0 ] || { echo "exited $name $code"; result=2; }
      continue
    fi
    [ -z "$health" ] || [ "$health" = healthy ] || checks+=("$name")
  done < <(podman inspect --format \
    '{{.Name}}|{{.State.Status}}|{{if .Config.Healthcheck}}{{.State.Health.Status}}{{end}}|{{.State.ExitCode}}|{{.RestartCount}}' \
    "${ids[@]}" 2>/dev/null)
  [ "$result" = 2 ] && return 2
  local pids=() i
  for name in "${checks[@]}"; do
    podman healthcheck run "$name" >/dev/null 2>&1 &
    pids+=($!)
  done
  for i in "${!pids[@]}"; do
    wait "${pids[$i]}" || { echo "pending ${checks[$i]}"; result=1; }
  done
  return "$result"
}

# What went wrong in project $1, given a pass's lines ($2): the state of every container, then the
# last log lines of each container named there.
podman_report() {
  local project=$1 lines=$2 kind name rest
  printf '%s\n' "$lines" >&2
  podman ps -a --filter "label=com.docker.compose.project=$project" \
    --format '{{.Names}}\t{{.Status}}' >&2 2>/dev/null || true
  while read -r kind name rest; do
    [ -n "$name" ] || continue
    printf -- '---- %s (%s%s): last log lines\n' "$name" "$kind" "${rest:+ $rest}" >&2
    podman logs --tail "${COMPOSE_LOG_LINES:-40}" "$name" >&2 2>&1 || true
  done <<<"$lines"
}

# Runs passes until every health check of project $2 passes (0) or $1 seconds pass or something
# failed (1, with podman_report's account).
podman_healthchecks() {
  local secs=$1 project=$2 end=$((SECONDS + $1)) out status
  while :; do
    status=0
    out=$(podman_healthcheck_pass "$project") || status=$?
    ((status == 0)) && return 0
    if ((status == 2)) || ((SECONDS >= end)); then
      podman_report "$project" "$out"
      ((status == 2)) || podman_say "not healthy after ${secs}s"
      return 1
    fi
    sleep 1
  done
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  case ${1:-} in
    env)
      podman_setup
      printf 'export CONTAINERS_CONF=%q\nexport DOCKER_HOST=%q\n' "$CONTAINERS_CONF" "unix://$PODMAN_SOCKET"
      ;;
    socket-up) podman_socket_up; echo "unix://$PODMAN_SOCKET" ;;
    socket-down) podman_socket_down ;;
    compose) shift; podman_compose "$@" ;;
    healthchecks) shift; [ $# -ge 1 ] || podman_die "usage: healthchecks [SECS] PROJECT"
      if [ $# -ge 2 ]; then podman_healthchecks "$1" "$2"; else podman_healthchecks 180 "$1"; fi ;;
    *) echo "usage: $0 env | socket-up | socket-down | compose ARGS... | healthchecks [SECS] PROJECT" >&2; exit 64 ;;
  esac
fi
