#!/usr/bin/env bash
# Local dev/test infrastructure without Docker: PostgreSQL 15, Redis and Apache Kafka 4 (KRaft).
#
#   scripts/infra.sh up       start (or reuse) all three and wait until each really answers
#   scripts/infra.sh down     stop what this script started (data is kept)
#   (up and down also take the services to act on: `up kafka`, `down postgres redis`)
#   scripts/infra.sh status   up/down per service (exit 3 if any is down)
#   scripts/infra.sh env      export lines: eval "$(scripts/infra.sh env)"
#   scripts/infra.sh topics [list | create NAME [PARTITIONS] | delete NAME]   Kafka topics by hand
#   scripts/infra.sh kill kafka N   SIGKILL Kafka node N that this script started (a crash, for fault
#                             tests: npm run soak); `up kafka` starts it again and waits for all nodes
#   scripts/infra.sh start kafka N  starts node N again without waiting for it (the caller watches
#                             the cluster; holds the lock only while launching)
#
# Every file a service writes (data, logs, pids, configs, Kafka jars) lives under INFRA_DIR
# (default <repo>/.local, git-ignored). Ports: PGPORT (5432), REDIS_PORT (6379), KAFKA_PORT (9092),
# KAFKA_CONTROLLER_PORT (9093). INFRA_WAIT_SECS bounds each readiness wait (default 90).
# Everything listens on loopback only, unless INFRA_EXTRA_ADDRESS names one more local address (the
# local cluster's bridge, 10.244.0.1, so pods reach the stack as managed services): Postgres and Redis
# then also listen there (Postgres accepts passwords from INFRA_EXTRA_CLIENTS, default the address's
# /24), and Kafka gets a second listener on it, KAFKA_EXTRA_PORT (default KAFKA_PORT + 2), which
# advertises that address. The address must exist before `up`.
# KAFKA_BROKERS_COUNT=3 starts Kafka as three KRaft nodes (each broker and controller) instead of one,
# replicating like production: every topic with replication factor 3 and min.insync.replicas=2, so a
# producer waiting for all in-sync replicas (the platform's do) keeps writing with one node down and is
# refused with two down. Node N listens on KAFKA_PORT + 10*(N-1) (controller KAFKA_CONTROLLER_PORT +
# 10*(N-1), extra KAFKA_EXTRA_PORT + 10*(N-1)) with its files under $INFRA_DIR/kafka/brokers-3/node-N;
# `env` then lists all three in KAFKA_BROKERS. Give the same KAFKA_BROKERS_COUNT to `env`, `status` and
# `topics`; `down` stops every Kafka node this script started, in either mode. One node is the default.
# KAFKA_JAVA_OPTS adds JVM options to the broker; PG_BIN overrides /usr/lib/postgresql/15/bin.
# Something already answering on a port (right protocol, and for PostgreSQL postgres/postgres) is
# reused, never stopped. Versions: scripts/kafka/pom.xml. Logs: $INFRA_DIR/*/ (*.log, kafka/logs/).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
INFRA_DIR=${INFRA_DIR:-$ROOT/.local}
case $INFRA_DIR in /*) ;; *) INFRA_DIR=$PWD/$INFRA_DIR ;; esac   # services chdir; keep it absolute

HOST=127.0.0.1
EXTRA_ADDRESS=${INFRA_EXTRA_ADDRESS:-}
PGPORT=${PGPORT:-5432}
REDIS_PORT=${REDIS_PORT:-6379}
KAFKA_PORT=${KAFKA_PORT:-9092}
KAFKA_CONTROLLER_PORT=${KAFKA_CONTROLLER_PORT:-9093}
KAFKA_EXTRA_PORT=${KAFKA_EXTRA_PORT:-$((KAFKA_PORT + 2))}
KAFKA_BROKERS_COUNT=${KAFKA_BROKERS_COUNT:-1}
KAFKA_NODE_STEP=10   # node N's ports are the first node's + 10*(N-1)
WAIT_SECS=${INFRA_WAIT_SECS:-90}
PG_USER=postgres
PG_PASSWORD=postgres

PG_DIR=$INFRA_DIR/postgres
PG_DATA=$PG_DIR/data
PG_LOG=$PG_DIR/log/postgres.log
REDIS_DIR=$INFRA_DIR/redis
REDIS_CONF=$REDIS_DIR/redis.conf
REDIS_PID=$REDIS_DIR/redis.pid
REDIS_LOG=$REDIS_DIR/redis.log
KAFKA_DIR=$INFRA_DIR/kafka
KAFKA_LIBS=$KAFKA_DIR/libs
KAFKA_POM=$ROOT/scripts/kafka/pom.xml
KAFKA_LOG4J=$ROOT/scripts/kafka/log4j2.properties
KAFKA_TOOL=$KAFKA_DIR/tool                # the small Admin-client program below, compiled once

# ---------------------------------------------------------------- helpers

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'infra: ERROR: %s\n' "$*" >&2; exit 1; }

# die, showing the end of a service's log so the cause is visible without digging.
die_with_log() {
  local msg=$1; shift
  local f
  for f in "$@"; do
    [ -s "$f" ] && { printf -- '--- last 40 lines of %s ---\n' "$f" >&2; tail -n 40 "$f" >&2; }
  done
  die "$msg"
}

is_root() { [ "$(id -u)" -eq 0 ]; }

# True when something accepts TCP connections on 127.0.0.1:$1 (whatever it is).
port_open() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }

# Process $1 alive and its command line contains $2 (guards against stale pid files / pid reuse).
pid_is() {
  local pid=$1 pattern=$2
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] && [[ "$(tr '\0' ' ' <"/proc/$pid/cmdline")" == *"$pattern"* ]]
}
read_pid() { if [ -s "$1" ]; then tr -dc '0-9' <"$1"; fi; }

APT_UPDATED=
# Install a Debian package when its command is missing ('apt-get update' only then, once).
ensure_cmd() {
  local cmd=$1 pkg=$2
  command -v "$cmd" >/dev/null 2>&1 && return 0
  is_root || die "'$cmd' is missing; install it with: sudo apt-get install -y $pkg"
  say "installing $pkg (apt) for '$cmd'"
  mkdir -p "$INFRA_DIR"
  local log=$INFRA_DIR/apt.log
  if [ -z "$APT_UPDATED" ]; then
    apt-get update >>"$log" 2>&1 || die_with_log "apt-get update failed" "$log"
    APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$pkg" >>"$log" 2>&1 ||
    die_with_log "apt-get install $pkg failed" "$log"
  command -v "$cmd" >/dev/null 2>&1 || die "installed $pkg but '$cmd' is still missing"
}

# Serialize up/down so two shells starting the stack at once don't race on pid files.
take_lock() {
  mkdir -p "$INFRA_DIR"
  exec 9>"$INFRA_DIR/.infra.lock"
  if ! flock -n 9; then
    say "waiting for another scripts/infra.sh to finish"
    flock -w 600 9 || die "another scripts/infra.sh is still running (lock $INFRA_DIR/.infra.lock)"
  fi
}
# Every server we launch gets '9>&-': a daemon that inherited the lock fd would hold the lock forever.

# ---------------------------------------------------------------- PostgreSQL

pg_bin() {
  local d
  for d in "${PG_BIN:-}" /usr/lib/postgresql/15/bin; do
    [ -n "$d" ] && [ -x "$d/pg_ctl" ] && { echo "$d"; return 0; }
  done
  die "PostgreSQL 15 binaries not found (expected /usr/lib/postgresql/15/bin; set PG_BIN to override)"
}

# PostgreSQL refuses to run as root: as root, run its tools as the 'postgres' OS user.
as_pg() {
  if is_root; then runuser -u postgres -- "$@"; else "$@"; fi
}

# The real test: log in over TCP with the documented credentials and run a query.
pg_answers() {
  local bin; bin=$(pg_bin)
  [ "$(PGPASSWORD=$PG_PASSWORD PGCONNECT_TIMEOUT=3 "$bin/psql" -XAtq \
        "host=$HOST port=$PGPORT user=$PG_USER dbname=postgres sslmode=disable" \
        -c 'select 1' 2>/dev/null)" = 1 ]
}

pg_ours_running() { [ -f "$PG_DATA/postmaster.pid" ] && as_pg "$(pg_bin)/pg_ctl" status -D "$PG_DATA" >/dev/null 2>&1; }

pg_write_conf() {
  # Regenerated on every `up` so a changed PGPORT applies; included from postgresql.conf.
  local sockdir=$PG_DIR/run
  [ ${#sockdir} -lt 100 ] || sockdir=''   # Unix socket paths are limited to ~107 bytes: TCP only then
  cat >"$PG_DATA/infra.conf" <<EOF
# Written by scripts/infra.sh on every 'up': edit the script, not this file.
listen_addresses = '$HOST${EXTRA_ADDRESS:+,$EXTRA_ADDRESS}'
port = $PGPORT
unix_socket_directories = '$sockdir'   # own dir: no clash with a system cluster's /var/run/postgresql
max_connections = 300                  # parallel test workers each hold a pool
synchronous_commit = off               # commits don't wait for the WAL flush: fast, and still crash-safe
                                       # (a crash may lose the last few ms of commits, never corrupts)
shared_buffers = 128MB
log_line_prefix = '%m [%p] %q%u@%d '
log_min_duration_statement = -1
EOF
  is_root && chown postgres: "$PG_DATA/infra.conf"
  # Password logins from the extra address's clients (initdb allows loopback only).
  if [ -n "$EXTRA_ADDRESS" ]; then
    local clients=${INFRA_EXTRA_CLIENTS:-${EXTRA_ADDRESS%.*}.0/24} line
    line="host all all $clients scram-sha-256 # scripts/infra.sh: INFRA_EXTRA_ADDRESS"
    grep -qxF "$line" "$PG_DATA/pg_hba.conf" || echo "$line" >>"$PG_DATA/pg_hba.conf"
  fi
  grep -q "^include_if_exists = 'infra.conf'" "$PG_DATA/postgresql.conf" ||
    echo "include_if_exists = 'infra.conf'" >>"$PG_DATA/postgresql.conf"
}

pg_up() {
  local bin; bin=$(pg_bin)
  if pg_answers; then
    say "postgres: $HOST:$PGPORT already answers as $PG_USER/$PG_PASSWORD, reusing it"
    return 0
  fi
  mkdir -p "$PG_DIR/run" "$PG_DIR/log"
  if is_root; then
    id postgres >/dev/null 2>&1 || die "running as root but there is no 'postgres' OS user to run PostgreSQL as"
    chown -R postgres: "$PG_DIR"
    as_pg test -x "$PG_DIR" || die "the 'postgres' OS user cannot reach $PG_DIR (a parent folder is not world-executable); set INFRA_DIR elsewhere"
  fi
  if pg_ours_running; then
    # Ours runs but didn't answer. On another port (PGPORT changed?): others may be using it, so
    # don't move it. On this port: still starting or recovering, so give it time.
    local port; port=$(sed -n 4p "$PG_DATA/postmaster.pid")
    [ "$port" = "$PGPORT" ] ||
      die "the PostgreSQL of $INFRA_DIR already runs on port $port, not $PGPORT; run 'scripts/infra.sh down' first (or use another INFRA_DIR)"
    say "postgres: ours runs on $PGPORT but did not answer yet, waiting"
    pg_wait
    return 0
  fi
  port_open "$PGPORT" && die "port $PGPORT is taken by something that doesn't accept $PG_USER/$PG_PASSWORD; stop it or set PGPORT"

  if [ ! -f "$PG_DATA/PG_VERSION" ]; then
    say "postgres: creating a new cluster in $PG_DATA"
    local pwfile=$PG_DIR/.pw
    printf '%s\n' "$PG_PASSWORD" >"$pwfile"
    is_root && chown postgres: "$pwfile"
    # trust on the (private) Unix socket, password (scram) over TCP like a real deployment.
    as_pg "$bin/initdb" -D "$PG_DATA" -U "$PG_USER" --pwfile="$pwfile" \
      --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 \
      >"$PG_DIR/log/initdb.log" 2>&1 || { rm -f "$pwfile"; die_with_log "initdb failed" "$PG_DIR/log/initdb.log"; }
    rm -f "$pwfile"
  fi
  [ "$(cat "$PG_DATA/PG_VERSION")" = 15 ] || die "$PG_DATA holds a PostgreSQL $(cat "$PG_DATA/PG_VERSION") cluster, not 15"
  pg_write_conf

  say "postgres: starting on $HOST:$PGPORT"
  # pg_ctl -w waits for 'ready to accept connections' and detaches the server from our session.
  as_pg "$bin/pg_ctl" start -D "$PG_DATA" -l "$PG_LOG" -w -t "$WAIT_SECS" -s 9>&- ||
    die_with_log "PostgreSQL did not start" "$PG_LOG"
  pg_wait
}

pg_wait() {
  local end=$((SECONDS + WAIT_SECS))
  until pg_answers; do
    ((SECONDS < end)) || die_with_log "PostgreSQL runs but '$PG_USER' cannot run 'select 1' over TCP within ${WAIT_SECS}s" "$PG_LOG"
    sleep 0.2
  done
}

pg_down() {
  [ -f "$PG_DATA/PG_VERSION" ] || return 0
  if pg_ours_running; then
    say "postgres: stopping"
    as_pg "$(pg_bin)/pg_ctl" stop -D "$PG_DATA" -m fast -w -t "$WAIT_SECS" -s ||
      die_with_log "PostgreSQL did not stop" "$PG_LOG"
  fi
}

# ---------------------------------------------------------------- Redis

redis_answers() { [ "$(timeout 3 redis-cli -h "$HOST" -p "$REDIS_PORT" ping 2>/dev/null)" = PONG ]; }

redis_up() {
  ensure_cmd redis-server redis-server   # Debian's package also brings redis-cli (and won't start itself here)
  ensure_cmd redis-cli redis-tools
  if redis_answers; then
    say "redis: $HOST:$REDIS_PORT already answers PONG, reusing it"
    return 0
  fi
  if pid_is "$(read_pid "$REDIS_PID")" redis-server; then
    # Ours runs but didn't answer: on another port, refuse (a second server on the same AOF
    # directory would corrupt it); on this port it is still loading its AOF, so wait.
    local port; port=$(awk '$1 == "port" {print $2}' "$REDIS_CONF")
    [ "$port" = "$REDIS_PORT" ] ||
      die "the Redis of $INFRA_DIR already runs on port $port, not $REDIS_PORT; run 'scripts/infra.sh down' first (or use another INFRA_DIR)"
    say "redis: ours runs on $REDIS_PORT but did not answer yet, waiting"
    redis_wait
    return 0
  fi
  port_open "$REDIS_PORT" && die "port $REDIS_PORT is taken by something that isn't Redis; stop it or set REDIS_PORT"
  mkdir -p "$REDIS_DIR/data"
  cat >"$REDIS_CONF" <<EOF
# Written by scripts/infra.sh on every 'up': edit the script, not this file.
bind $HOST${EXTRA_ADDRESS:+ $EXTRA_ADDRESS}
# Without a password Redis answers only loopback clients unless told otherwise: the extra address is
# a local one too (the cluster's bridge), so its clients are let in.
protected-mode $(if [ -n "$EXTRA_ADDRESS" ]; then echo no; else echo yes; fi)
port $REDIS_PORT
daemonize yes
pidfile $REDIS_PID
logfile $REDIS_LOG
loglevel notice
dir $REDIS_DIR/data
# Durable across down/up: append-only file, fsync once a second (Redis' default trade-off).
appendonly yes
appendfsync everysec
EOF
  say "redis: starting on $HOST:$REDIS_PORT"
  redis-server "$REDIS_CONF" >>"$REDIS_LOG" 2>&1 9>&- || die_with_log "redis-server failed to start" "$REDIS_LOG"
  redis_wait
}

redis_wait() {
  local start=$SECONDS end=$((SECONDS + WAIT_SECS))
  until redis_answers; do   # answers LOADING (not PONG) while it replays a big AOF
    ((SECONDS < end)) || die_with_log "Redis did not answer PING within ${WAIT_SECS}s" "$REDIS_LOG"
    # The daemon writes its pid file at once; none alive after 2s means it exited (bad AOF, ...).
    if ((SECONDS - start >= 2)) && ! pid_is "$(read_pid "$REDIS_PID")" redis-server; then
      die_with_log "redis-server exited" "$REDIS_LOG"
    fi
    sleep 0.1
  done
}

redis_down() {
  local pid port
  pid=$(read_pid "$REDIS_PID")
  pid_is "$pid" redis-server || { rm -f "$REDIS_PID"; return 0; }
  port=$(awk '$1 == "port" {print $2}' "$REDIS_CONF" 2>/dev/null)
  say "redis: stopping"
  # SHUTDOWN flushes the AOF; fall back to SIGTERM (same graceful path) if the port changed.
  timeout 10 redis-cli -h "$HOST" -p "${port:-$REDIS_PORT}" shutdown >/dev/null 2>&1 || kill -TERM "$pid" 2>/dev/null || true
  wait_pid_gone "$pid" 30 || die_with_log "Redis (pid $pid) did not stop" "$REDIS_LOG"
  rm -f "$REDIS_PID"
}

wait_pid_gone() {
  local pid=$1 end=$((SECONDS + $2))
  while kill -0 "$pid" 2>/dev/null; do
    ((SECONDS < end)) || return 1
    sleep 0.2
  done
}

# ---------------------------------------------------------------- Kafka

# A small Java program instead of org.apache.kafka:kafka-tools (TopicCommand), which isn't published
# for Kafka 4.4.0. 'wait' sends a real Metadata request (v4, the oldest Kafka 4 serves) over a plain
# socket and wants >= BROKERS (default 1) back: a JVM without kafka-clients answers in ~0.3s instead of ~2.5s.
# It retries inside one JVM and gives up early if the broker's pid dies. list/create/delete use the
# Admin client (log4j's default config prints only errors, so it stays quiet).
kafka_tool_source() {
  cat <<'JAVA'
import java.io.*;
import java.net.*;
import java.util.*;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.*;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

public class KafkaCheck {
  public static void main(String[] a) throws Exception {
    if (a.length < 2) { System.err.println("usage: KafkaCheck HOST:PORT wait SECS [PID [BROKERS]] | list | create NAME [PARTS] | delete NAME"); System.exit(64); }
    if (a[1].equals("wait")) System.exit(waitReady(a[0], Long.parseLong(a[2]), a.length > 3 ? Long.parseLong(a[3]) : -1, a.length > 4 ? Integer.parseInt(a[4]) : 1));
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, a[0]);
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
    int rc = 0;
    try (Admin admin = Admin.create(p)) {
      switch (a[1]) {
        case "list":
          for (String t : new TreeSet<>(admin.listTopics().names().get(15, TimeUnit.SECONDS))) System.out.println(t);
          break;
        case "create":
          try {
            Optional<Integer> parts = a.length > 3 ? Optional.of(Integer.parseInt(a[3])) : Optional.empty();
            admin.createTopics(List.of(new NewTopic(a[2], parts, Optional.empty()))).all().get(15, TimeUnit.SECONDS);
            System.out.println("created " + a[2]);
          } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) throw e;
            System.out.println("exists " + a[2]);
          }
          break;
        case "delete":
          try {
            admin.deleteTopics(List.of(a[2])).all().get(15, TimeUnit.SECONDS);
            System.out.println("deleted " + a[2]);
          } catch (ExecutionException e) {
            if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) throw e;
            System.out.println("absent " + a[2]);
          }
          break;
        case "coordinator":
          // FindCoordinator for a group: the broker creates __consumer_offsets if it does not exist yet.
          admin.listConsumerGroupOffsets("infra-check").partitionsToOffsetAndMetadata().get(60, TimeUnit.SECONDS);
          System.out.println("group coordinator available");
          break;
        default: System.err.println("unknown command " + a[1]); rc = 64;
      }
    }
    System.exit(rc);
  }

  static int waitReady(String hostPort, long secs, long pid, int want) throws InterruptedException {
    int colon = hostPort.lastIndexOf(':');
    String host = hostPort.substring(0, colon);
    int port = Integer.parseInt(hostPort.substring(colon + 1));
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(secs);
    String last = "nothing tried";
    while (true) {
      if (pid > 0 && !ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
        System.err.println("the Kafka process (pid " + pid + ") exited"); return 2;
      }
      try {
        int brokers = metadataBrokerCount(host, port);
        if (brokers >= want) { System.out.println("metadata answered: " + brokers + " broker(s)"); return 0; }
        last = "metadata lists " + brokers + " of " + want + " brokers";
      } catch (EOFException e) {
        last = "the server closed the connection (not Kafka, or it no longer serves Metadata v4)";
      } catch (IOException e) {
        last = e.toString();
      }
      if (System.nanoTime() > end) break;
      Thread.sleep(200);
    }
    System.err.println("no metadata answer within " + secs + "s: " + last);
    return 1;
  }

  // Metadata request v4 (request header v1, non-flexible encoding); returns the broker count.
  static int metadataBrokerCount(String host, int port) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(host, port), 2000);
      s.setSoTimeout(3000);
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      DataOutputStream b = new DataOutputStream(body);
      b.writeShort(3);                 // api_key: Metadata
      b.writeShort(4);                 // api_version
      b.writeInt(42);                  // correlation_id
      b.writeShort(11); b.writeBytes("infra-check"); // client_id
      b.writeInt(-1);                  // topics: null = all topics
      b.writeBoolean(false);           // allow_auto_topic_creation
      DataOutputStream out = new DataOutputStream(new BufferedOutputStream(s.getOutputStream()));
      out.writeInt(body.size()); body.writeTo(out); out.flush();
      DataInputStream in = new DataInputStream(new BufferedInputStream(s.getInputStream()));
      int size = in.readInt();
      if (size < 12) throw new IOException("short response (" + size + " bytes)");
      if (in.readInt() != 42) throw new IOException("bad correlation id: not a Kafka broker?");
      in.readInt();                    // throttle_time_ms
      return in.readInt();             // brokers array length
    }
  }
}
JAVA
}

kafka_fetch_libs() {
  # Refetch only when the jars are missing or scripts/kafka/pom.xml changed (version bump).
  local want; want=$(sha256sum "$KAFKA_POM" | cut -d' ' -f1)
  [ "$(cat "$KAFKA_LIBS/.pom.sha256" 2>/dev/null)" = "$want" ] && return 0
  if [ -f "$KAFKA_LIBS/.pom.sha256" ] && kafka_any_running; then
    # Never swap the jars under a running broker: keep using them until the next down/up.
    say "kafka: $KAFKA_POM changed; the new jars are fetched at the next 'down' + 'up'"
    return 0
  fi
  ensure_cmd mvn maven
  say "kafka: fetching jars from Maven Central into $KAFKA_LIBS (once)"
  local tmp=$KAFKA_DIR/libs.tmp
  rm -rf "$tmp"; mkdir -p "$KAFKA_DIR/logs"
  # Into a temp dir first, so an interrupted download never leaves a half-filled libs/.
  mvn -B -q dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$tmp" -f "$KAFKA_POM" \
    >"$KAFKA_DIR/logs/mvn.log" 2>&1 || die_with_log "Maven could not fetch the Kafka jars" "$KAFKA_DIR/logs/mvn.log"
  echo "$want" >"$tmp/.pom.sha256"
  rm -rf "$KAFKA_LIBS"; mv "$tmp" "$KAFKA_LIBS"
  rm -rf "$KAFKA_TOOL" "$KAFKA_DIR"/cds-*.jsa*   # recompile the check, re-record the class archive
}

kafka_build_tool() {
  mkdir -p "$KAFKA_TOOL"
  if ! kafka_tool_source | cmp -s - "$KAFKA_TOOL/KafkaCheck.java" || [ ! -f "$KAFKA_TOOL/KafkaCheck.class" ]; then
    ensure_cmd javac openjdk-17-jdk-headless
    kafka_tool_source >"$KAFKA_TOOL/KafkaCheck.java"
    javac -nowarn -cp "$KAFKA_LIBS/*" -d "$KAFKA_TOOL" "$KAFKA_TOOL/KafkaCheck.java" >&2 ||
      die "could not compile $KAFKA_TOOL/KafkaCheck.java"
  fi
}

# KafkaCheck HOST:PORT CMD... (a short-lived client JVM: C1 only and serial GC start fastest)
kafka_tool() {
  java -Xmx128m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -cp "$KAFKA_TOOL:$KAFKA_LIBS/*" KafkaCheck "$@"
}

# kafka_node N: the ports and files of node N (1-based) in this mode, as N_* variables. A single
# broker keeps its files directly under $KAFKA_DIR; three nodes under $KAFKA_DIR/brokers-3/node-N.
kafka_node() {
  local off=$((($1 - 1) * KAFKA_NODE_STEP))
  N_ID=$1
  N_PORT=$((KAFKA_PORT + off))
  N_CTRL=$((KAFKA_CONTROLLER_PORT + off))
  N_EXTRA=$((KAFKA_EXTRA_PORT + off))
  if [ "$KAFKA_BROKERS_COUNT" -eq 1 ]; then N_DIR=$KAFKA_DIR; else N_DIR=$KAFKA_DIR/brokers-$KAFKA_BROKERS_COUNT/node-$1; fi
  N_PID=$N_DIR/kafka.pid
  N_CONF=$N_DIR/server.properties
  N_LOG=$N_DIR/logs/server.log
  N_OUT=$N_DIR/logs/kafka.out   # JVM stdout/stderr: crashes before log4j is up land here
}

kafka_nodes() { seq 1 "$KAFKA_BROKERS_COUNT"; }

# host:port of every node, comma-separated (what clients bootstrap from).
kafka_bootstrap() {
  local i list=''
  for i in $(kafka_nodes); do list+=$HOST:$((KAFKA_PORT + (i - 1) * KAFKA_NODE_STEP)),; done
  echo "${list%,}"
}

# The static controller quorum: every node votes.
kafka_voters() {
  local i list=''
  for i in $(kafka_nodes); do list+=$i@$HOST:$((KAFKA_CONTROLLER_PORT + (i - 1) * KAFKA_NODE_STEP)),; done
  echo "${list%,}"
}

kafka_replication_conf() {
  if [ "$KAFKA_BROKERS_COUNT" -eq 1 ]; then
    cat <<'EOF'
# Topics appear on first use, 3 partitions each.
auto.create.topics.enable=true
num.partitions=3
default.replication.factor=1
delete.topic.enable=true

# A single node: every internal topic needs replication factor 1, or consumer groups never get a
# coordinator. Fewer offsets/transaction partitions make the first group join quicker.
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=10
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
EOF
  else
    cat <<'EOF'
# Topics appear on first use, 3 partitions each, on every node: a write acknowledged by all in-sync
# replicas (acks=-1) is on at least two nodes, and with fewer than two in sync it is refused
# (NOT_ENOUGH_REPLICAS) rather than kept on one disk.
auto.create.topics.enable=true
num.partitions=3
default.replication.factor=3
min.insync.replicas=2
unclean.leader.election.enable=false
delete.topic.enable=true

# Internal topics replicate the same way. Fewer offsets/transaction partitions make the first group
# join quicker.
offsets.topic.replication.factor=3
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=3
transaction.state.log.min.isr=2
transaction.state.log.num.partitions=10
share.coordinator.state.topic.replication.factor=3
share.coordinator.state.topic.min.isr=2

# A node that dies is fenced (its partitions led elsewhere) once it has missed heartbeats for 4 s
# (Kafka's default is 9 s), and the same node started again registers once its old incarnation is
# fenced: before that the controllers refuse it with DUPLICATE_BROKER_REGISTRATION.
broker.heartbeat.interval.ms=1000
broker.session.timeout.ms=4000
EOF
  fi
}

kafka_conf() {
  # Regenerated on every start so changed ports apply. Every node is broker and controller. The
  # static voter list (not 'format --standalone') keeps a changed controller port harmless.
  cat <<EOF
# Written by scripts/infra.sh on every 'up': edit the script, not this file.
process.roles=broker,controller
node.id=$N_ID
controller.quorum.voters=$(kafka_voters)
listeners=PLAINTEXT://$HOST:$N_PORT,CONTROLLER://$HOST:$N_CTRL${EXTRA_ADDRESS:+,EXTRA://$EXTRA_ADDRESS:$N_EXTRA}
advertised.listeners=PLAINTEXT://$HOST:$N_PORT,CONTROLLER://$HOST:$N_CTRL${EXTRA_ADDRESS:+,EXTRA://$EXTRA_ADDRESS:$N_EXTRA}
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT${EXTRA_ADDRESS:+,EXTRA:PLAINTEXT}
log.dirs=$N_DIR/data

$(kafka_replication_conf)
# Tests shouldn't wait 3s for the first rebalance.
group.initial.rebalance.delay.ms=0

# Dev retention: a day, 64 MiB segments.
log.retention.hours=24
log.segment.bytes=67108864
log.retention.check.interval.ms=300000

# Sized for a 2-core box and a 512 MiB heap (the cleaner's default 128 MiB dedupe buffer is too big).
num.network.threads=2
num.io.threads=4
num.recovery.threads.per.data.dir=1
log.cleaner.dedupe.buffer.size=16777216
EOF
}

# Class-data sharing: the broker's first run records the classes it loaded into an archive when it
# exits (at 'down'); later starts map that archive and boot in about half the time (~10s -> ~5s
# here). The archive is only valid for this JDK and this set of jars, hence the key in its name. The
# recording node (the single broker, or node 1 of three: three JVMs must not write one file) writes it
# into its own directory, and only its own clean exit at 'down' moves it to $KAFKA_DIR, so a
# half-written archive is never used. Every node maps it when it is there.
kafka_cds_opts() {
  local key; key=$({ java -version 2>&1; cat "$KAFKA_LIBS/.pom.sha256"; } | sha256sum | cut -c1-12)
  if [ -s "$KAFKA_DIR/cds-$key.jsa" ]; then
    echo "-XX:SharedArchiveFile=$KAFKA_DIR/cds-$key.jsa"
  elif [ "$N_ID" -eq 1 ]; then
    rm -f "$KAFKA_DIR"/cds-*.jsa "$N_DIR"/cds-*.jsa.tmp
    echo "-XX:ArchiveClassesAtExit=$N_DIR/cds-$key.jsa.tmp"
  else
    echo "-Xshare:auto"
  fi
}

# The jars in a fixed order: a class-data archive only matches the exact same class path.
kafka_classpath() {
  local cp='' jar
  while IFS= read -r jar; do cp+=$KAFKA_LIBS/$jar:; done < <(cd "$KAFKA_LIBS" && LC_ALL=C ls -1 -- *.jar)
  echo "${cp%:}"
}

# The pid of the node whose files are under $1 (its JVM runs with $1/server.properties).
kafka_pid_in() {
  local pid; pid=$(read_pid "$1/kafka.pid")
  pid_is "$pid" "$1/server.properties" && echo "$pid"
}

kafka_our_pid() { kafka_pid_in "$N_DIR"; }

# Every directory a Kafka node of this script may run from, in either mode.
kafka_node_dirs() {
  local d
  for d in "$KAFKA_DIR" "$KAFKA_DIR"/brokers-*/node-*; do [ -d "$d" ] && echo "$d"; done
  return 0
}

kafka_any_running() {
  local d
  for d in $(kafka_node_dirs); do kafka_pid_in "$d" >/dev/null && return 0; done
  return 1
}

# KRaft storage is formatted once with a cluster id; after that the id lives in meta.properties. The
# nodes of one cluster share one id, kept beside them.
kafka_cluster_id() {
  local file=$KAFKA_DIR/brokers-$KAFKA_BROKERS_COUNT/cluster.id id=-
  if [ "$KAFKA_BROKERS_COUNT" -gt 1 ] && [ -s "$file" ]; then cat "$file"; return; fi
  # A cluster id is 16 random bytes in URL-safe base64 (what 'StorageTool random-uuid' prints, minus a
  # JVM start); like Kafka, avoid ids starting with '-', which look like options.
  while [[ $id == -* ]]; do id=$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '='); done
  if [ "$KAFKA_BROKERS_COUNT" -gt 1 ]; then mkdir -p "${file%/*}"; echo "$id" >"$file"; fi
  echo "$id"
}

# Starts node N unless it runs already (or something answering Kafka holds its port: reused). Does not
# wait for it: a quorum of three answers only once two of its nodes run.
kafka_node_start() {
  kafka_node "$1"
  local pid; pid=$(kafka_our_pid || true)
  if [ -z "$pid" ] && port_open "$N_PORT"; then
    kafka_tool "$HOST:$N_PORT" wait 10 >/dev/null ||
      die "port $N_PORT is taken by something that doesn't answer Kafka metadata requests; stop it or set KAFKA_PORT"
    say "kafka: $HOST:$N_PORT already answers, reusing it"
    return 0
  fi
  if [ -n "$pid" ]; then
    # Ours runs (maybe still starting): fine if it was started with these settings.
    kafka_conf | cmp -s - "$N_CONF" ||
      die "the Kafka of $N_DIR (pid $pid) runs with other settings (ports?) than now; run 'scripts/infra.sh down' first (or use another INFRA_DIR)"
    say "kafka: node $N_ID already running (pid $pid), checking it answers"
    return 0
  fi
  port_open "$N_CTRL" && die "controller port $N_CTRL is taken; stop that or set KAFKA_CONTROLLER_PORT"
  mkdir -p "$N_DIR/data" "$N_DIR/logs"
  kafka_conf >"$N_CONF"
  # One kafka.out per launch, so a failure shows this launch's output only.
  [ -f "$N_OUT" ] && mv -f "$N_OUT" "$N_OUT.prev"
  rm -f "$N_PID"   # a stale one would read as 'died at once' below
  if [ ! -f "$N_DIR/data/meta.properties" ]; then
    say "kafka: formatting KRaft storage in $N_DIR/data"
    java -cp "$KAFKA_LIBS/*" -Dlog4j2.configurationFile="$KAFKA_LOG4J" -Dkafka.logs.dir="$N_DIR/logs" \
      kafka.tools.StorageTool format -t "$(kafka_cluster_id)" -c "$N_CONF" --ignore-formatted >>"$N_OUT" 2>&1 ||
      die_with_log "kafka storage format failed" "$N_OUT"
  fi
  say "kafka: starting node $N_ID on $HOST:$N_PORT (controller $N_CTRL)"
  # setsid: the broker must outlive this shell (and a CI step's process group). The inner shell
  # writes its own pid then execs java, so the pid file names the JVM itself.
  # Three nodes share two cores with everything else, and a node is restarted often (the soak kills
  # them): they compile with C1 only, which halves the CPU a start costs (~7 s -> ~4 s here) for
  # steady-state code that is slower but far faster than a local cluster needs.
  local heap=-Xmx512m jit=-XX:+TieredCompilation
  [ "$KAFKA_BROKERS_COUNT" -eq 1 ] || { heap=-Xmx384m; jit=-XX:TieredStopAtLevel=1; }
  # shellcheck disable=SC2016,SC2086  # $$ is the inner shell's; KAFKA_JAVA_OPTS splits into options
  setsid bash -c 'echo $$ >"$0"; exec "$@"' "$N_PID" \
    java -Xms256m "$heap" "$jit" -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:+ExplicitGCInvokesConcurrent \
    -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$KAFKA_LOG4J" -Dkafka.logs.dir="$N_DIR/logs" \
    "$(kafka_cds_opts)" -Xlog:cds=off,cds+dynamic=off ${KAFKA_JAVA_OPTS:-} \
    -cp "$(kafka_classpath)" kafka.Kafka "$N_CONF" \
    >>"$N_OUT" 2>&1 </dev/null 9>&- &
  local end=$((SECONDS + 10)) raw
  until pid=$(kafka_our_pid); do
    raw=$(read_pid "$N_PID")
    # The pid file is written first, so a pid there that is gone means the JVM died at once.
    if ((SECONDS >= end)) || { [ -n "$raw" ] && ! kill -0 "$raw" 2>/dev/null; }; then
      die_with_log "the Kafka JVM of node $N_ID did not start" "$N_OUT" "$N_LOG"
    fi
    sleep 0.1
  done
}

kafka_up() {
  ensure_cmd java openjdk-17-jdk-headless
  case $KAFKA_BROKERS_COUNT in 1 | 3) ;; *) die "KAFKA_BROKERS_COUNT must be 1 or 3 (got $KAFKA_BROKERS_COUNT)" ;; esac
  kafka_fetch_libs
  kafka_build_tool
  local i pid msg
  for i in $(kafka_nodes); do kafka_node_start "$i"; done
  # Ready when each node answers metadata listing every broker of the cluster.
  for i in $(kafka_nodes); do
    kafka_node "$i"
    pid=$(kafka_our_pid || echo -1)
    msg=$(kafka_tool "$HOST:$N_PORT" wait "$WAIT_SECS" "$pid" "$KAFKA_BROKERS_COUNT" 2>&1) ||
      die_with_log "Kafka did not answer a metadata request on $HOST:$N_PORT: $msg" "$N_OUT" "$N_LOG"
    say "kafka: node $N_ID ready ($msg)"
  done
  # Internal topics are created on first use with replication factor 3, which needs all three nodes:
  # create the offsets topic now, while they run, so a node lost later never leaves groups without a
  # coordinator.
  if [ "$KAFKA_BROKERS_COUNT" -gt 1 ]; then
    msg=$(kafka_tool "$(kafka_bootstrap)" coordinator 2>&1) || die "Kafka could not create its offsets topic: $msg"
  fi
}

# Stops the node whose files are under $1, if this script started it.
kafka_stop_in() {
  local dir=$1 pid; pid=$(kafka_pid_in "$dir" || true)
  [ -n "$pid" ] || { rm -f "$dir/kafka.pid"; return 0; }
  say "kafka: stopping $dir (pid $pid)"
  # SIGTERM = Kafka's clean shutdown (flushes logs, writes a clean-shutdown marker: quick next start).
  # The first stop after a (re)fetch also writes the class-data archive: a few seconds more.
  kill -TERM "$pid" 2>/dev/null || true
  if wait_pid_gone "$pid" 60; then
    local f
    for f in "$dir"/cds-*.jsa.tmp; do [ -s "$f" ] && mv -f "$f" "$KAFKA_DIR/$(basename "${f%.tmp}")"; done
  else
    say "kafka: still running after 60s, killing it"
    kill -KILL "$pid" 2>/dev/null || true
    wait_pid_gone "$pid" 10 || die "could not stop Kafka (pid $pid)"
    rm -f "$dir"/cds-*.jsa.tmp
  fi
  rm -f "$dir/kafka.pid"
}

kafka_down() {
  # Every node in parallel: a node of a quorum waits for the others while it shuts down cleanly, and
  # the last ones can no longer elect a controller if they go one by one.
  local d pids=()
  for d in $(kafka_node_dirs); do
    kafka_pid_in "$d" >/dev/null || continue
    kafka_stop_in "$d" &
    pids+=($!)
  done
  local failed=0 p
  for p in "${pids[@]}"; do wait "$p" || failed=1; done
  ((failed == 0)) || die "could not stop every Kafka node"
}

kafka_node 1
# ---------------------------------------------------------------- commands

cmd_env() {
  cat <<EOF
export PGHOST=$HOST
export PGPORT=$PGPORT
export PGUSER=$PG_USER
export PGPASSWORD=$PG_PASSWORD
export DATABASE_URL=postgres://$PG_USER:$PG_PASSWORD@$HOST:$PGPORT
export REDIS_URL=redis://$HOST:$REDIS_PORT
export KAFKA_BROKERS=$(kafka_bootstrap)
EOF
}

# The services named on the command line (default all), checked.
SERVICES=()
pick_services() {
  local s
  for s in "$@"; do
    case $s in postgres | redis | kafka) SERVICES+=("$s") ;; *) die "unknown service $s (postgres, redis or kafka)" ;; esac
  done
  ((${#SERVICES[@]})) || SERVICES=(postgres redis kafka)
}
wants() { [[ " ${SERVICES[*]} " == *" $1 "* ]]; }

cmd_up() {
  local t0=$SECONDS
  pick_services "$@"
  take_lock
  if [ -n "$EXTRA_ADDRESS" ] && ! grep -qF " $EXTRA_ADDRESS/" <<<"$(ip -o addr show)"; then
    die "INFRA_EXTRA_ADDRESS=$EXTRA_ADDRESS is not an address of this machine"
  fi
  if wants postgres; then pg_up; fi
  if wants redis; then redis_up; fi
  if wants kafka; then kafka_up; fi
  # A server that was reused (already running) may not listen there: say so rather than hang a client.
  local port
  if [ -n "$EXTRA_ADDRESS" ] && [ ${#SERVICES[@]} -eq 3 ]; then
    for port in "$PGPORT" "$REDIS_PORT" $(for i in $(kafka_nodes); do echo $((KAFKA_EXTRA_PORT + (i - 1) * KAFKA_NODE_STEP)); done); do
      (exec 3<>"/dev/tcp/$EXTRA_ADDRESS/$port") 2>/dev/null ||
        die "nothing listens on $EXTRA_ADDRESS:$port (INFRA_EXTRA_ADDRESS): a server started without it was reused; 'scripts/infra.sh down' then 'up'"
    done
  fi
  echo "Infrastructure is up ($((SECONDS - t0))s): ${SERVICES[*]}; data and logs under $INFRA_DIR"
  if wants postgres; then
    echo "  PostgreSQL  host $HOST port $PGPORT  user $PG_USER password $PG_PASSWORD"
    echo "              DATABASE_URL=postgres://$PG_USER:$PG_PASSWORD@$HOST:$PGPORT  (append /<database>)"
  fi
  if wants redis; then echo "  Redis       REDIS_URL=redis://$HOST:$REDIS_PORT"; fi
  if wants kafka; then
    echo "  Kafka       KAFKA_BROKERS=$(kafka_bootstrap)$([ "$KAFKA_BROKERS_COUNT" -eq 1 ] || echo " (replication factor 3, min.insync.replicas 2)")"
  fi
  if [ -n "$EXTRA_ADDRESS" ]; then
    echo "  Also on     $EXTRA_ADDRESS: PostgreSQL $PGPORT, Redis $REDIS_PORT, Kafka $KAFKA_EXTRA_PORT"
  fi
  # shellcheck disable=SC2016  # printed for the user to run
  echo 'Load these into a shell with:  eval "$(scripts/infra.sh env)"'
}

cmd_down() {
  pick_services "$@"
  take_lock
  # Reverse order: apps' consumers go quiet before the databases do.
  if wants kafka; then kafka_down; fi
  if wants redis; then redis_down; fi
  if wants postgres; then pg_down; fi
  say "down: ${SERVICES[*]} (data kept under $INFRA_DIR)"
}

cmd_status() {
  local down=0 how
  if command -v "$(pg_bin 2>/dev/null)/psql" >/dev/null 2>&1 && pg_answers; then
    pg_ours_running && how="ours, $PG_DATA" || how="not started by this script"
    echo "postgres  up    $HOST:$PGPORT ($how)"
  else echo "postgres  down  $HOST:$PGPORT"; down=1; fi

  if command -v redis-cli >/dev/null 2>&1 && redis_answers; then
    pid_is "$(read_pid "$REDIS_PID")" redis-server && how="ours, pid $(read_pid "$REDIS_PID")" || how="not started by this script"
    echo "redis     up    $HOST:$REDIS_PORT ($how)"
  else echo "redis     down  $HOST:$REDIS_PORT"; down=1; fi

  local kpid i
  for i in $(kafka_nodes); do
    kafka_node "$i"
    kpid=$(kafka_our_pid || true)
    if [ -f "$KAFKA_TOOL/KafkaCheck.class" ] && port_open "$N_PORT" && kafka_tool "$HOST:$N_PORT" wait 5 >/dev/null 2>&1; then
      [ -n "$kpid" ] && how="ours, pid $kpid" || how="not started by this script"
      echo "kafka     up    $HOST:$N_PORT ($how)"
    elif [ -n "$kpid" ]; then echo "kafka     down  $HOST:$N_PORT (pid $kpid runs but does not answer yet)"; down=1
    else echo "kafka     down  $HOST:$N_PORT"; down=1; fi
  done
  return $((down ? 3 : 0))
}

cmd_topics() {
  [ -f "$KAFKA_TOOL/KafkaCheck.class" ] || die "run 'scripts/infra.sh up' first"
  case ${1:-list} in
    list) kafka_tool "$(kafka_bootstrap)" list ;;
    create) [ -n "${2:-}" ] || die "usage: topics create NAME [PARTITIONS]"; kafka_tool "$(kafka_bootstrap)" create "$2" ${3:+"$3"} ;;
    delete) [ -n "${2:-}" ] || die "usage: topics delete NAME"; kafka_tool "$(kafka_bootstrap)" delete "$2" ;;
    *) die "usage: scripts/infra.sh topics [list | create NAME [PARTITIONS] | delete NAME]" ;;
  esac
}

# SIGKILL of one Kafka node (a crash: no clean-shutdown marker, its partitions recover at the next
# start). Only a node this script started; `up kafka` starts it again.
cmd_kill() {
  local node=${2:-}
  [ "${1:-}" = kafka ] && [[ $node =~ ^[1-9][0-9]*$ ]] && ((node <= KAFKA_BROKERS_COUNT)) ||
    die "usage: scripts/infra.sh kill kafka NODE (1..$KAFKA_BROKERS_COUNT)"
  take_lock
  kafka_node "$node"
  local pid; pid=$(kafka_our_pid || true)
  [ -n "$pid" ] || die "kafka node $node of $INFRA_DIR is not running"
  say "kafka: SIGKILL node $node (pid $pid)"
  kill -KILL "$pid"
  wait_pid_gone "$pid" 30 || die "kafka node $node (pid $pid) did not exit"
  rm -f "$N_PID"
}

# Starts one Kafka node of a running cluster (after `kill kafka N`) and returns once its JVM runs.
cmd_start() {
  local node=${2:-}
  [ "${1:-}" = kafka ] && [[ $node =~ ^[1-9][0-9]*$ ]] && ((node <= KAFKA_BROKERS_COUNT)) ||
    die "usage: scripts/infra.sh start kafka NODE (1..$KAFKA_BROKERS_COUNT)"
  take_lock
  [ -f "$KAFKA_TOOL/KafkaCheck.class" ] || die "run 'scripts/infra.sh up kafka' first"
  kafka_node_start "$node"
}

case ${1:-} in
  up) shift; cmd_up "$@" ;;
  kill) shift; cmd_kill "$@" ;;
  start) shift; cmd_start "$@" ;;
  down) shift; cmd_down "$@" ;;
  status) cmd_status ;;
  env) cmd_env ;;
  topics) shift; cmd_topics "$@" ;;
  *) echo "usage: $0 up|down [postgres|redis|kafka ...] | status | env | topics [list|create NAME [PARTITIONS]|delete NAME] | kill|start kafka NODE" >&2; exit 64 ;;
esac
