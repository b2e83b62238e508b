#!/usr/bin/env bash
# A real Prometheus (Debian's `prometheus` package, which brings promtool) for the local stack and its
# tests: its own config, a free port, data under .local, the platform's rule files loaded.
#
#   scripts/prometheus.sh install   install the package when prometheus or promtool is missing
#   scripts/prometheus.sh up        write the config, start (or reuse) Prometheus, wait until it is ready
#   scripts/prometheus.sh down      stop the Prometheus this script started in PROMETHEUS_DIR
#   scripts/prometheus.sh url       print its base URL (http://127.0.0.1:<port>)
#
# PROMETHEUS_DIR (default <repo>/.local/prometheus) holds config, data, log, pid and port.
# PROMETHEUS_TARGETS: what to scrape, `name=host:port` pairs separated by spaces or commas (each
#   target's /metrics; `name` becomes the `instance` label), each optionally followed by
#   `;label=value` target labels, e.g. `orders-2=127.0.0.1:4106;namespace=shop;pod=orders-canary-0`
#   (the labels the Prometheus Operator gives a pod's target). Default: the local stack's fixed ports.
# PROMETHEUS_PORT: the port to listen on (default: a free one, kept in PROMETHEUS_DIR/port).
# PROMETHEUS_INTERVAL: scrape and rule evaluation interval (default 15s; tests use 1s).
# PROMETHEUS_RULES: rule files to load (default monitoring/rules/*.rules.yaml).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DIR=${PROMETHEUS_DIR:-$ROOT/.local/prometheus}
case $DIR in /*) ;; *) DIR=$PWD/$DIR ;; esac
HOST=127.0.0.1
INTERVAL=${PROMETHEUS_INTERVAL:-15s}
WAIT_SECS=${PROMETHEUS_WAIT_SECS:-60}
DEFAULT_TARGETS="router=$HOST:4000 auth=$HOST:4001 users=$HOST:4002 products=$HOST:4003 inventory=$HOST:4004 cart=$HOST:4005 orders=$HOST:4006 payments=$HOST:4007 notifications=$HOST:4008 recommendations=$HOST:4009"

say() { printf '==> prometheus: %s\n' "$*" >&2; }
die() { printf 'prometheus: ERROR: %s\n' "$*" >&2; exit 1; }

cmd_install() {
  command -v prometheus >/dev/null 2>&1 && command -v promtool >/dev/null 2>&1 && return 0
  [ "$(id -u)" -eq 0 ] || die "prometheus/promtool missing; install them with: sudo apt-get install -y prometheus"
  mkdir -p "$ROOT/.local"
  say "installing Debian's prometheus package (brings promtool)"
  { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends prometheus; } \
    >>"$ROOT/.local/apt.log" 2>&1 || { tail -n 30 "$ROOT/.local/apt.log" >&2; die "apt-get install prometheus failed"; }
  # The package may start its own service where an init system runs; ours never relies on it.
  command -v promtool >/dev/null 2>&1 || die "installed prometheus but promtool is still missing"
}

read_pid() { if [ -s "$DIR/prometheus.pid" ]; then tr -dc '0-9' <"$DIR/prometheus.pid"; fi; }
# Our Prometheus runs: the pid is alive and runs prometheus with our config file.
ours() {
  local pid; pid=$(read_pid)
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] && [[ "$(tr '\0' ' ' <"/proc/$pid/cmdline")" == *"$DIR/prometheus.yml"* ]]
}
free_port() { node -e "const s=require('net').createServer().listen(0,'$HOST',()=>{console.log(s.address().port);s.close()})"; }
port() { cat "$DIR/port"; }

write_config() {
  local targets=${PROMETHEUS_TARGETS:-$DEFAULT_TARGETS} entry name address rules target extra label labels
  rules=${PROMETHEUS_RULES:-$ROOT/monitoring/rules/*.rules.yaml}
  {
    echo "# Written by scripts/prometheus.sh on every 'up': edit the script, not this file."
    echo "global:"
    echo "  scrape_interval: $INTERVAL"
    echo "  scrape_timeout: $INTERVAL"
    echo "  evaluation_interval: $INTERVAL"
    echo "rule_files:"
    for entry in $rules; do echo "  - '$entry'"; done
    echo "scrape_configs:"
    echo "  - job_name: shop"
    echo "    metrics_path: /metrics"
    echo "    static_configs:"
    for entry in ${targets//,/ }; do
      target=${entry%%;*}
      name=${target%%=*} address=${target#*=}
      if [ -z "$name" ] || [ "$name" = "$target" ]; then die "PROMETHEUS_TARGETS entry '$entry' is not name=host:port"; fi
      labels="instance: '$name'"
      if [ "$target" != "$entry" ]; then
        IFS=';' read -ra extra <<<"${entry#*;}"
        for label in "${extra[@]}"; do
          [[ $label =~ ^[a-zA-Z_][a-zA-Z0-9_]*=[^\'\ ]*$ ]] || die "PROMETHEUS_TARGETS entry '$entry': '$label' is not label=value"
          labels+=", ${label%%=*}: '${label#*=}'"
        done
      fi
      echo "      - targets: ['$address']"
      echo "        labels: { $labels }"
    done
  } >"$DIR/prometheus.yml"
  promtool check config "$DIR/prometheus.yml" >"$DIR/check.log" 2>&1 || { cat "$DIR/check.log" >&2; die "the generated config does not check"; }
}

cmd_up() {
  cmd_install
  mkdir -p "$DIR/data"
  if ours; then
    say "already running (pid $(read_pid)) on $(port); reloading its config"
    write_config
    curl -fsS -X POST "http://$HOST:$(port)/-/reload" >/dev/null || die "reload failed"
    return 0
  fi
  echo "${PROMETHEUS_PORT:-$(free_port)}" >"$DIR/port"
  write_config
  say "starting on $HOST:$(port) (data $DIR/data)"
  # setsid: Prometheus outlives this shell; the inner shell writes its pid, then execs prometheus.
  # shellcheck disable=SC2016  # $$ is the inner shell's
  setsid bash -c 'echo $$ >"$0"; exec "$@"' "$DIR/prometheus.pid" \
    prometheus --config.file="$DIR/prometheus.yml" --storage.tsdb.path="$DIR/data" \
    --web.listen-address="$HOST:$(port)" --web.enable-lifecycle --log.level=warn \
    >>"$DIR/prometheus.log" 2>&1 </dev/null &
  local end=$((SECONDS + WAIT_SECS))
  until curl -fsS "http://$HOST:$(port)/-/ready" >/dev/null 2>&1; do
    if ((SECONDS >= end)) || { [ -s "$DIR/prometheus.pid" ] && ! kill -0 "$(read_pid)" 2>/dev/null; }; then
      tail -n 30 "$DIR/prometheus.log" >&2
      die "Prometheus did not become ready on $HOST:$(port)"
    fi
    sleep 0.2
  done
  say "ready: http://$HOST:$(port)"
}

cmd_down() {
  ours || { rm -f "$DIR/prometheus.pid"; return 0; }
  local pid; pid=$(read_pid)
  say "stopping (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  local end=$((SECONDS + 30))
  while kill -0 "$pid" 2>/dev/null; do
    ((SECONDS < end)) || { kill -KILL "$pid" 2>/dev/null || true; break; }
    sleep 0.2
  done
  rm -f "$DIR/prometheus.pid"
}

case ${1:-} in
  install) cmd_install ;;
  up) cmd_up ;;
  down) cmd_down ;;
  url) echo "http://$HOST:$(port)" ;;
  *) echo "usage: $0 install|up|down|url" >&2; exit 64 ;;
esac
