#!/usr/bin/env bash
# A real Apache Kafka broker for development and tests: single node, KRaft (combined broker and
# controller), loopback only, from the org.apache.kafka:kafka_2.13 artifacts on Maven Central.
#
#   scripts/kafka.sh start    start (or find running) the broker; last line of stdout: 127.0.0.1:PORT
#   scripts/kafka.sh stop     stop it (TERM, then KILL after a bound) and delete its state dir
#   scripts/kafka.sh status   running or not, and every listener, certificate and credential
#   scripts/kafka.sh pause    stop the broker but keep its data (fault tests); resume starts it again
#   scripts/kafka.sh env      the same as shell-sourceable KAFKA_* variables
#   scripts/kafka.sh fetch    only resolve the broker's jars into the cache (for CI warm-up)
#
# Listeners (all on 127.0.0.1, derived from KAFKA_PORT, default 19092):
#   PORT    PLAINTEXT
#   PORT+1  SSL             client certificate required (ssl.client.auth=required)
#   PORT+2  SASL_PLAINTEXT  SCRAM-SHA-256, SCRAM-SHA-512, PLAIN
#   PORT+3  SASL_SSL        SCRAM-SHA-256, SCRAM-SHA-512, PLAIN over TLS (no client certificate)
#   PORT+4  CONTROLLER      KRaft controller (not for clients)
#
# Environment:
#   KAFKA_PORT            first port (default 19092); one instance per port
#   KAFKA_STATE_DIR       data, logs, certificates, pid (default ${TMPDIR:-/tmp}/tlsscope-kafka-PORT)
#   KAFKA_VERSION         broker version (default below)
#   KAFKA_CACHE_DIR       jars (default ${XDG_CACHE_HOME:-$HOME/.cache}/tlsscope-kafka/VERSION)
#   KAFKA_MAVEN_REPO      Maven local repository to resolve through (default: Maven's own, ~/.m2)
#   KAFKA_SCRAM_USER      SCRAM and PLAIN user (default tlsscope)
#   KAFKA_SCRAM_PASSWORD  its password (default tlsscope-secret)
#   KAFKA_START_TIMEOUT   seconds start waits for the broker (default 90)
#   KAFKA_STOP_TIMEOUT    seconds stop waits after TERM before KILL (default 20)
#   KAFKA_HEAP_OPTS       default -Xms128m -Xmx512m
#   KAFKA_JVM_OPTS        more JVM options (default -XX:TieredStopAtLevel=1 -XX:+UseSerialGC)
#   KAFKA_OWNER_PID       if set, the broker is stopped (and its state dir removed) once that
#                         process is gone: tests pass their own pid so a killed run leaves nothing
#
# Failures print one line on stderr starting with "kafka.sh:" and exit non-zero.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SELF="$SCRIPT_DIR/$(basename "${BASH_SOURCE[0]}")"
HELPERS="$SCRIPT_DIR/kafka"

KAFKA_VERSION=${KAFKA_VERSION:-4.4.0}
KAFKA_PORT=${KAFKA_PORT:-19092}
KAFKA_CACHE_DIR=${KAFKA_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/tlsscope-kafka/$KAFKA_VERSION}
KAFKA_SCRAM_USER=${KAFKA_SCRAM_USER:-tlsscope}
KAFKA_SCRAM_PASSWORD=${KAFKA_SCRAM_PASSWORD:-tlsscope-secret}
KAFKA_START_TIMEOUT=${KAFKA_START_TIMEOUT:-90}
KAFKA_STOP_TIMEOUT=${KAFKA_STOP_TIMEOUT:-20}
KAFKA_HEAP_OPTS=${KAFKA_HEAP_OPTS:--Xms128m -Xmx512m}
# C1 only and the serial collector: a quicker start and less CPU on small CI machines.
KAFKA_JVM_OPTS=${KAFKA_JVM_OPTS--XX:TieredStopAtLevel=1 -XX:+UseSerialGC}

die() {
  echo "kafka.sh: $*" >&2
  exit 1
}

if ! [[ $KAFKA_PORT =~ ^[0-9]+$ ]] || ((KAFKA_PORT < 1024 || KAFKA_PORT + 4 > 65535)); then
  die "KAFKA_PORT must be a number from 1024 to 65531 (got '$KAFKA_PORT')"
fi
[[ $KAFKA_SCRAM_USER =~ ^[A-Za-z0-9._-]+$ && $KAFKA_SCRAM_PASSWORD =~ ^[A-Za-z0-9._-]+$ ]] ||
  die "KAFKA_SCRAM_USER and KAFKA_SCRAM_PASSWORD may only hold letters, digits, '.', '_' and '-'"
[[ $KAFKA_VERSION =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "KAFKA_VERSION must look like 4.4.0 (got '$KAFKA_VERSION')"

PORT_PLAINTEXT=$KAFKA_PORT
PORT_SSL=$((KAFKA_PORT + 1))
PORT_SASL_PLAINTEXT=$((KAFKA_PORT + 2))
PORT_SASL_SSL=$((KAFKA_PORT + 3))
PORT_CONTROLLER=$((KAFKA_PORT + 4))
CLIENT_PORTS=("$PORT_PLAINTEXT" "$PORT_SSL" "$PORT_SASL_PLAINTEXT" "$PORT_SASL_SSL")
ALL_PORTS=("${CLIENT_PORTS[@]}" "$PORT_CONTROLLER")
HOST=127.0.0.1

STATE_DIR=${KAFKA_STATE_DIR:-${TMPDIR:-/tmp}/tlsscope-kafka-$KAFKA_PORT}
STATE_DIR=${STATE_DIR%/}
[[ $STATE_DIR == /* ]] || STATE_DIR="$PWD/$STATE_DIR"
[[ $STATE_DIR != / && $STATE_DIR != "$HOME" ]] || die "refusing KAFKA_STATE_DIR=$STATE_DIR"
TLS_DIR="$STATE_DIR/tls"
LOG_DIR="$STATE_DIR/logs"
PID_FILE="$STATE_DIR/broker.pid"
WATCHDOG_PID_FILE="$STATE_DIR/watchdog.pid"
LIBS="$KAFKA_CACHE_DIR/libs"

# ---------------------------------------------------------------------------------------------
# Process helpers

broker_pid() { # prints the pid of this instance's broker if it is running
  [[ -f $PID_FILE ]] || return 1
  local pid
  pid=$(<"$PID_FILE")
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  # The pid must still be our java, not a recycled pid.
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$STATE_DIR/server.properties" || return 1
  echo "$pid"
}

port_open() { # true if something accepts TCP connections on 127.0.0.1:$1
  (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null
}

api_versions_ok() { # true if the broker on 127.0.0.1:$1 answers a Kafka ApiVersions v0 request
  local hex
  exec 3<>"/dev/tcp/$HOST/$1" 2>/dev/null || return 1
  # size 10 | api key 18 (ApiVersions) | version 0 | correlation id 1 | client id null
  printf '\x00\x00\x00\x0a\x00\x12\x00\x00\x00\x00\x00\x01\xff\xff' >&3 2>/dev/null || { exec 3>&-; return 1; }
  hex=$(timeout 3 head -c 10 <&3 2>/dev/null | od -An -tx1 | tr -d ' \n')
  exec 3>&-
  # response: size | correlation id 1 | error code 0
  [[ ${hex:8:12} == 000000010000 ]]
}

remove_state_dir() { # deletes STATE_DIR, but only if it is empty or one that this script made
  [[ -e $STATE_DIR ]] || return 0
  if [[ -d $STATE_DIR ]] && { [[ -z $(ls -A "$STATE_DIR") ]] || [[ -f $STATE_DIR/server.properties || -d $STATE_DIR/tls || -d $STATE_DIR/logs ]]; }; then
    rm -rf "$STATE_DIR"
  else
    die "KAFKA_STATE_DIR $STATE_DIR is not a state dir of kafka.sh (nor empty); refusing to delete it"
  fi
}

log_tail() {
  local f
  for f in "$LOG_DIR/server.log" "$LOG_DIR/stdout.log"; do
    if [[ -s $f ]]; then
      echo "--- last lines of $f" >&2
      tail -n 25 "$f" | cut -c1-400 >&2
    fi
  done
}

# ---------------------------------------------------------------------------------------------
# Jars

need_java() {
  local java=java
  [[ -n ${JAVA_HOME:-} && -x $JAVA_HOME/bin/java ]] && java="$JAVA_HOME/bin/java"
  command -v "$java" >/dev/null 2>&1 || die "java not found (Java 17 or later is needed; set JAVA_HOME or install openjdk-17-jre-headless)"
  local v
  v=$("$java" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n1)
  [[ -n $v && $v -ge 17 ]] || die "java at $(command -v "$java") is version '${v:-unknown}'; Kafka $KAFKA_VERSION needs Java 17 or later"
  JAVA=$java
}

fetch_jars() {
  [[ -f $LIBS/.complete ]] && return 0
  mkdir -p "$KAFKA_CACHE_DIR" || die "cannot create cache dir $KAFKA_CACHE_DIR"
  # Parallel starts (test files) share the cache: one resolves, the others wait for it.
  exec 9>"$KAFKA_CACHE_DIR/.lock"
  flock -w 600 9 || die "timed out waiting for the lock on $KAFKA_CACHE_DIR"
  if [[ ! -f $LIBS/.complete ]]; then
    command -v mvn >/dev/null 2>&1 || die "mvn not found: Maven is needed once to resolve org.apache.kafka:kafka_2.13:$KAFKA_VERSION into $KAFKA_CACHE_DIR"
    local tmp="$KAFKA_CACHE_DIR/libs.tmp.$$" mvnlog="$KAFKA_CACHE_DIR/maven.log"
    local repo=()
    [[ -n ${KAFKA_MAVEN_REPO:-} ]] && repo=("-Dmaven.repo.local=$KAFKA_MAVEN_REPO")
    rm -rf "$tmp"
    # Progress goes to stdout: on failure, stderr holds only the one line that says why.
    echo "kafka.sh: resolving org.apache.kafka:kafka_2.13:$KAFKA_VERSION with Maven into $KAFKA_CACHE_DIR"
    if ! mvn -B -q -Dstyle.color=never -f "$HELPERS/pom.xml" "${repo[@]}" -Dkafka.version="$KAFKA_VERSION" \
      dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$tmp" \
      >"$mvnlog" 2>&1 </dev/null; then
      rm -rf "$tmp"
      die "Maven could not resolve org.apache.kafka:kafka_2.13:$KAFKA_VERSION: $(sed 's/\x1b\[[0-9;]*m//g' "$mvnlog" | grep -m1 '\[ERROR\]' | cut -c1-300) (full output: $mvnlog)"
    fi
    [[ -f $tmp/kafka_2.13-$KAFKA_VERSION.jar ]] || die "Maven ran but $tmp has no kafka_2.13-$KAFKA_VERSION.jar (see $mvnlog)"
    touch "$tmp/.complete"
    rm -rf "$LIBS"
    mv "$tmp" "$LIBS"
  fi
  exec 9>&-
}

# ---------------------------------------------------------------------------------------------
# Certificates: a CA, the broker's certificate, a good client certificate, and a client
# certificate from another CA that the broker does not trust. PEM, EC P-256, 30 days.

gen_tls() {
  mkdir -p "$TLS_DIR"
  local d=$TLS_DIR ext="$TLS_DIR/.ext"
  (
    set -e
    cd "$d"
    key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }
    serial() { echo "0x$(openssl rand -hex 8)"; }
    ca() { # name CN
      key "$1.key"
      openssl req -x509 -new -key "$1.key" -sha256 -days 30 -set_serial "$(serial)" -subj "/O=tlsscope/CN=$2" \
        -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
        -out "$1.pem" 2>/dev/null
    }
    leaf() { # name CA CN extensions
      key "$1.key"
      openssl req -new -key "$1.key" -subj "/O=tlsscope/CN=$3" -out "$1.csr" 2>/dev/null
      printf '%s\n' "basicConstraints=critical,CA:FALSE" "keyUsage=critical,digitalSignature" "$4" >"$ext"
      openssl x509 -req -in "$1.csr" -CA "$2.pem" -CAkey "$2.key" -set_serial "$(serial)" -days 30 -sha256 \
        -extfile "$ext" -out "$1.crt" 2>/dev/null
      rm -f "$1.csr"
    }
    ca ca "tlsscope-kafka test CA"
    ca other-ca "tlsscope-kafka untrusted CA"
    leaf broker ca localhost $'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth'
    leaf client ca tlsscope-client "extendedKeyUsage=clientAuth"
    leaf other-client other-ca tlsscope-client "extendedKeyUsage=clientAuth"
    # Kafka's PEM keystore: the private key (PKCS#8, unencrypted) followed by the chain.
    cat broker.key broker.crt ca.pem >broker-keystore.pem
    rm -f "$ext" other-ca.key
    chmod 600 ./*.key broker-keystore.pem
  ) || die "openssl could not generate the test certificates in $TLS_DIR"
}

# ---------------------------------------------------------------------------------------------
# Broker configuration

write_config() {
  local jaas_scram="org.apache.kafka.common.security.scram.ScramLoginModule required;"
  local jaas_plain="org.apache.kafka.common.security.plain.PlainLoginModule required user_${KAFKA_SCRAM_USER}=\"${KAFKA_SCRAM_PASSWORD}\";"
  local l
  {
    cat <<EOF
# Generated by scripts/kafka.sh for the development/test broker on port $KAFKA_PORT.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@$HOST:$PORT_CONTROLLER
controller.listener.names=CONTROLLER
listeners=PLAINTEXT://$HOST:$PORT_PLAINTEXT,SSL://$HOST:$PORT_SSL,SASL_PLAINTEXT://$HOST:$PORT_SASL_PLAINTEXT,SASL_SSL://$HOST:$PORT_SASL_SSL,CONTROLLER://$HOST:$PORT_CONTROLLER
advertised.listeners=PLAINTEXT://$HOST:$PORT_PLAINTEXT,SSL://$HOST:$PORT_SSL,SASL_PLAINTEXT://$HOST:$PORT_SASL_PLAINTEXT,SASL_SSL://$HOST:$PORT_SASL_SSL
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$STATE_DIR/data
metadata.log.dir=$STATE_DIR/data

# One node: every internal topic with one replica and few partitions (fast first group join).
num.partitions=1
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
num.network.threads=2
num.io.threads=4
log.segment.bytes=16777216
log.retention.hours=1

# TLS: PEM keystore and truststore; the SSL listener requires a client certificate from ca.pem,
# the SASL_SSL listener authenticates with SASL only.
ssl.keystore.type=PEM
ssl.keystore.location=$TLS_DIR/broker-keystore.pem
ssl.truststore.type=PEM
ssl.truststore.location=$TLS_DIR/ca.pem
ssl.client.auth=none
listener.name.ssl.ssl.client.auth=required
listener.name.sasl_ssl.ssl.client.auth=none

# SASL: SCRAM credentials are written into the metadata log at format time (--add-scram);
# PLAIN takes its user from the JAAS line.
sasl.enabled.mechanisms=SCRAM-SHA-256,SCRAM-SHA-512,PLAIN
EOF
    for l in sasl_plaintext sasl_ssl; do
      echo "listener.name.$l.scram-sha-256.sasl.jaas.config=$jaas_scram"
      echo "listener.name.$l.scram-sha-512.sasl.jaas.config=$jaas_scram"
      echo "listener.name.$l.plain.sasl.jaas.config=$jaas_plain"
    done
  } >"$STATE_DIR/server.properties"
}

# ---------------------------------------------------------------------------------------------
# Output

print_env() {
  cat <<EOF
export KAFKA_VERSION='$KAFKA_VERSION'
export KAFKA_STATE_DIR='$STATE_DIR'
export KAFKA_BOOTSTRAP='$HOST:$PORT_PLAINTEXT'
export KAFKA_BOOTSTRAP_PLAINTEXT='$HOST:$PORT_PLAINTEXT'
export KAFKA_BOOTSTRAP_SSL='$HOST:$PORT_SSL'
export KAFKA_BOOTSTRAP_SASL_PLAINTEXT='$HOST:$PORT_SASL_PLAINTEXT'
export KAFKA_BOOTSTRAP_SASL_SSL='$HOST:$PORT_SASL_SSL'
export KAFKA_CONTROLLER='$HOST:$PORT_CONTROLLER'
export KAFKA_CA_PEM='$TLS_DIR/ca.pem'
export KAFKA_CLIENT_CERT_PEM='$TLS_DIR/client.crt'
export KAFKA_CLIENT_KEY_PEM='$TLS_DIR/client.key'
export KAFKA_OTHER_CA_PEM='$TLS_DIR/other-ca.pem'
export KAFKA_OTHER_CLIENT_CERT_PEM='$TLS_DIR/other-client.crt'
export KAFKA_OTHER_CLIENT_KEY_PEM='$TLS_DIR/other-client.key'
export KAFKA_SASL_MECHANISMS='SCRAM-SHA-256,SCRAM-SHA-512,PLAIN'
export KAFKA_SCRAM_USER='$KAFKA_SCRAM_USER'
export KAFKA_SCRAM_PASSWORD='$KAFKA_SCRAM_PASSWORD'
export KAFKA_LOG='$LOG_DIR/server.log'
EOF
}

print_listeners() {
  cat <<EOF
kafka $KAFKA_VERSION (KRaft, single node) state dir $STATE_DIR
  PLAINTEXT       $HOST:$PORT_PLAINTEXT
  SSL             $HOST:$PORT_SSL  (client certificate required)
  SASL_PLAINTEXT  $HOST:$PORT_SASL_PLAINTEXT  (SCRAM-SHA-256, SCRAM-SHA-512, PLAIN)
  SASL_SSL        $HOST:$PORT_SASL_SSL  (SCRAM-SHA-256, SCRAM-SHA-512, PLAIN; no client certificate)
  controller      $HOST:$PORT_CONTROLLER
  CA              $TLS_DIR/ca.pem
  client cert     $TLS_DIR/client.crt  key $TLS_DIR/client.key
  untrusted cert  $TLS_DIR/other-client.crt  key $TLS_DIR/other-client.key  (signed by other-ca.pem)
  SASL user       $KAFKA_SCRAM_USER  password $KAFKA_SCRAM_PASSWORD
  log             $LOG_DIR/server.log
EOF
}

# ---------------------------------------------------------------------------------------------
# Commands

stop_broker() { # stops the broker of this instance (if any) and removes the state dir
  kill_broker
  remove_state_dir
}

kill_broker() { # stops the broker process of this instance (if any), keeping its data
  local pid waited=0
  if pid=$(broker_pid); then
    kill -TERM "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null && ((waited < KAFKA_STOP_TIMEOUT * 10)); do
      sleep 0.1
      waited=$((waited + 1))
    done
    if kill -0 "$pid" 2>/dev/null; then
      echo "kafka.sh: broker $pid did not stop within ${KAFKA_STOP_TIMEOUT}s of TERM; killing it" >&2
      kill -KILL "$pid" 2>/dev/null || true
      while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
    fi
  fi
}

cmd_pause() { # stop the broker but keep its data, certificates and credentials (fault tests)
  broker_pid >/dev/null || die "no broker running on $HOST:$PORT_PLAINTEXT"
  kill_broker
  echo "kafka.sh: paused the broker on $HOST:$PORT_PLAINTEXT (data kept in $STATE_DIR; 'resume' starts it again)"
}

cmd_resume() { # start a paused broker again on its kept data
  if broker_pid >/dev/null; then
    echo "$HOST:$PORT_PLAINTEXT"
    return 0
  fi
  [[ -f $STATE_DIR/server.properties ]] || die "nothing to resume in $STATE_DIR (use start)"
  need_java
  fetch_jars
  launch_broker
}

cmd_stop() {
  local wd
  if [[ -f $WATCHDOG_PID_FILE ]]; then
    wd=$(<"$WATCHDOG_PID_FILE")
    if [[ $wd =~ ^[0-9]+$ ]] && tr '\0' ' ' <"/proc/$wd/cmdline" 2>/dev/null | grep -qF -- "__watchdog"; then
      kill -TERM "$wd" 2>/dev/null || true
    fi
  fi
  local was_running=no
  broker_pid >/dev/null && was_running=yes
  stop_broker
  if [[ $was_running == yes ]]; then
    echo "kafka.sh: stopped the broker on $HOST:$PORT_PLAINTEXT and removed $STATE_DIR"
  else
    echo "kafka.sh: no broker running on $HOST:$PORT_PLAINTEXT (removed $STATE_DIR if it was there)"
  fi
}

cmd_watchdog() { # internal: stop the broker once the owner process is gone
  local owner=$1 pid=""
  # The broker was just spawned: give it a moment to become the java process broker_pid looks for.
  for _ in {1..50}; do
    pid=$(broker_pid) && break
    sleep 0.2
  done
  [[ -n $pid ]] || exit 0
  while kill -0 "$owner" 2>/dev/null && kill -0 "$pid" 2>/dev/null; do sleep 1; done
  if kill -0 "$pid" 2>/dev/null; then
    stop_broker
  fi
}

cmd_start() {
  local pid
  if pid=$(broker_pid); then
    print_listeners
    echo "$HOST:$PORT_PLAINTEXT"
    return 0
  fi
  # Whatever is left from an instance that died is not reused: every start is a fresh cluster.
  [[ -z ${KAFKA_OWNER_PID:-} || $KAFKA_OWNER_PID =~ ^[0-9]+$ ]] || die "KAFKA_OWNER_PID must be a pid (got '$KAFKA_OWNER_PID')"
  remove_state_dir
  local p
  for p in "${ALL_PORTS[@]}"; do
    port_open "$p" && die "port $p on $HOST is in use (ports $KAFKA_PORT..$PORT_CONTROLLER are needed; choose another KAFKA_PORT)"
  done
  command -v openssl >/dev/null 2>&1 || die "openssl not found (needed to generate the test certificates)"
  command -v flock >/dev/null 2>&1 || die "flock not found (util-linux)"
  need_java
  fetch_jars

  mkdir -p "$STATE_DIR/data" "$LOG_DIR" || die "cannot create $STATE_DIR"
  gen_tls
  write_config

  local cp="$LIBS/*"
  local heap extra
  read -ra heap <<<"$KAFKA_HEAP_OPTS"
  read -ra extra <<<"$KAFKA_JVM_OPTS"
  local jvm=("${heap[@]}" -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true -Dkafka.logs.dir="$LOG_DIR"
    -Dlog4j2.configurationFile="$HELPERS/log4j2.properties" "${extra[@]}")

  # KRaft: format the metadata log, with the SCRAM credentials, before the first start.
  local cluster_id
  # base64url of 16 random bytes, as Kafka's own ids; never starting with '-', which the
  # tool's argument parser would take for an option (1 start in 64 failed that way).
  cluster_id=-
  while [[ $cluster_id == -* ]]; do
    cluster_id=$(head -c16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')
  done
  if ! "$JAVA" -Xmx256m -XX:TieredStopAtLevel=1 -Dkafka.logs.dir="$LOG_DIR" \
    -Dlog4j2.configurationFile="$HELPERS/log4j2.properties" -cp "$cp" kafka.tools.StorageTool format \
    --cluster-id "$cluster_id" --config "$STATE_DIR/server.properties" \
    --add-scram "SCRAM-SHA-256=[name=$KAFKA_SCRAM_USER,password=$KAFKA_SCRAM_PASSWORD]" \
    --add-scram "SCRAM-SHA-512=[name=$KAFKA_SCRAM_USER,password=$KAFKA_SCRAM_PASSWORD]" \
    >"$LOG_DIR/format.log" 2>&1 </dev/null; then
    die "formatting the KRaft storage failed: $(grep -v '^\s*$' "$LOG_DIR/format.log" | tail -n1 | cut -c1-300) (see $LOG_DIR/format.log)"
  fi

  launch_broker
}

launch_broker() { # runs the broker on the prepared state dir and waits until it accepts connections
  local cp="$LIBS/*" pid
  local heap extra
  read -ra heap <<<"$KAFKA_HEAP_OPTS"
  read -ra extra <<<"$KAFKA_JVM_OPTS"
  local jvm=("${heap[@]}" -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true -Dkafka.logs.dir="$LOG_DIR"
    -Dlog4j2.configurationFile="$HELPERS/log4j2.properties" "${extra[@]}")
  # The readiness check below looks for the start line written by this run, not a former one.
  [[ -f $LOG_DIR/server.log ]] && mv -f "$LOG_DIR/server.log" "$LOG_DIR/server.log.prev"
  # Detached from the caller's session and stdio, so that callers reading stdout see EOF.
  setsid "$JAVA" "${jvm[@]}" -cp "$cp" kafka.Kafka "$STATE_DIR/server.properties" \
    </dev/null >"$LOG_DIR/stdout.log" 2>&1 &
  pid=$!
  echo "$pid" >"$PID_FILE"
  # Watches from now on, so that an owner killed while the broker starts leaves nothing either.
  if [[ -n ${KAFKA_OWNER_PID:-} ]]; then
    setsid "$SELF" __watchdog "$KAFKA_OWNER_PID" </dev/null >/dev/null 2>&1 &
    echo "$!" >"$WATCHDOG_PID_FILE"
  fi

  local deadline=$((SECONDS + KAFKA_START_TIMEOUT)) ready
  while :; do
    if ! kill -0 "$pid" 2>/dev/null; then
      log_tail
      die "the broker exited during startup (see $LOG_DIR/server.log)"
    fi
    if grep -qs "Kafka Server started" "$LOG_DIR/server.log"; then
      # Every client listener accepts connections and the plaintext one answers a request.
      ready=yes
      for p in "${CLIENT_PORTS[@]}"; do port_open "$p" || ready=no; done
      [[ $ready == yes ]] && { api_versions_ok "$PORT_PLAINTEXT" || ready=no; }
      [[ $ready == yes ]] && break
    fi
    if ((SECONDS >= deadline)); then
      log_tail
      kill -KILL "$pid" 2>/dev/null || true
      die "the broker did not accept connections within ${KAFKA_START_TIMEOUT}s (log above; state kept in $STATE_DIR)"
    fi
    sleep 0.2
  done

  print_listeners
  echo "$HOST:$PORT_PLAINTEXT"
}

cmd_status() {
  local pid
  if pid=$(broker_pid); then
    echo "running (pid $pid)"
    print_listeners
  else
    echo "not running (port $KAFKA_PORT, state dir $STATE_DIR)"
    return 3
  fi
}

case ${1:-} in
start) cmd_start ;;
stop) cmd_stop ;;
pause) cmd_pause ;;
resume) cmd_resume ;;
status) cmd_status ;;
env) print_env ;;
fetch)
  need_java
  fetch_jars
  echo "$LIBS"
  ;;
__watchdog) cmd_watchdog "${2:?owner pid}" ;;
*)
  echo "usage: $0 start|stop|status|env|fetch   (see the top of this file for the environment)" >&2
  exit 2
  ;;
esac
