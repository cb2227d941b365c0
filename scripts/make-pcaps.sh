#!/usr/bin/env bash
# make-pcaps.sh — regenerate tlsscope's own test captures (pcaps/*.pcap and
# pcaps/expected.json) with real TLS stacks: OpenSSL (s_server/s_client), GnuTLS
# (gnutls-serv/gnutls-cli) and Node's tls module.
#
# Everything runs inside two throw-away network namespaces joined by one veth pair:
#   client  tlsscope-c-<pid>  vethC<pid>  10.99.0.1/24  fd00:99::1/64
#   server  tlsscope-s-<pid>  vethS<pid>  10.99.0.2/24  fd00:99::2/64
# No other address is ever used; the namespaces (and every process in them) are
# removed on exit, also on failure or Ctrl-C. tcpdump runs in the server namespace.
# Certificates are generated per run in a temporary directory and never kept.
#
# Usage: sudo scripts/make-pcaps.sh            (needs root: ip netns, tcpdump)
#   KEEP_WORK=1  keep the temporary directory (logs, certs, raw captures) for debugging
#   ONLY=a,b     run only the captures whose names start with a or b (e.g. ONLY=findings) and
#                merge them into pcaps/ (development only: commit the result of a full run)
#
# Prints one line per pcap written. Exit status: 0 = every scenario ran and every
# capture matched its expectation (checked with tshark); 1 = a scenario failed (the
# pcaps/ directory is then left untouched); 2 = missing tool / not root.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT_DIR=$ROOT/pcaps
HELPERS=$ROOT/scripts/pcap-helpers
TMO=20            # seconds any single server or client may run
CAP_TMO=45        # seconds one scenario's tcpdump may run

die() { echo "make-pcaps: $*" >&2; exit 2; }

# ---------------------------------------------------------------- preflight
[ "$(id -u)" = 0 ] || die "must run as root (network namespaces, tcpdump)"
missing=()
for t in ip ss ethtool tcpdump openssl gnutls-cli gnutls-serv node tshark timeout; do
  command -v "$t" >/dev/null 2>&1 || missing+=("$t")
done
if [ ${#missing[@]} -gt 0 ]; then
  die "missing tool(s): ${missing[*]} (Debian: apt-get install -y iproute2 ethtool tcpdump openssl gnutls-bin nodejs tshark coreutils)"
fi
openssl version | grep -q '^OpenSSL 3' || die "need OpenSSL 3.x, found: $(openssl version)"
[ -f "$HELPERS/node-tls.mjs" ] && [ -f "$HELPERS/expected.mjs" ] || die "missing helpers in $HELPERS"

SUF=$$
NS_C=tlsscope-c-$SUF
NS_S=tlsscope-s-$SUF
IF_C=vethC$SUF
IF_S=vethS$SUF
C4=10.99.0.1  S4=10.99.0.2
C6=fd00:99::1 S6=fd00:99::2
SNI=server.tlsscope.test

WORK=$(mktemp -d /tmp/tlsscope-pcaps.XXXXXX) || die "mktemp failed"
CERTS=$WORK/certs
CAPS=$WORK/caps
LOGS=$WORK/logs
SPECS=$WORK/specs.jsonl
mkdir -p "$CERTS" "$CAPS" "$LOGS"
: >"$SPECS"

BG_PIDS=()        # every background process we started (timeout wrappers)
CAP_PID=
SRV_PID=

cleanup() {
  local rc=$?
  for pid in "${BG_PIDS[@]}"; do
    kill -0 "$pid" 2>/dev/null && kill -TERM "$pid" 2>/dev/null
  done
  for pid in "${BG_PIDS[@]}"; do wait "$pid" 2>/dev/null; done
  ip netns del "$NS_C" 2>/dev/null
  ip netns del "$NS_S" 2>/dev/null
  if [ "${KEEP_WORK:-0}" = 1 ]; then echo "make-pcaps: work directory kept: $WORK" >&2
  else rm -rf "$WORK"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'echo "make-pcaps: interrupted" >&2; exit 130' INT TERM HUP

inC() { ip netns exec "$NS_C" "$@"; }
inS() { ip netns exec "$NS_S" "$@"; }

# ---------------------------------------------------------------- network
setup_net() {
  ip netns add "$NS_C" || return 1
  ip netns add "$NS_S" || return 1
  local ns
  for ns in "$NS_C" "$NS_S"; do
    # quiet IPv6: no link-local address, no router solicitations (nothing but our
    # own TCP, ARP and neighbour discovery ever crosses the veth)
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.addr_gen_mode=1 \
      net.ipv6.conf.default.accept_ra=0 net.ipv6.conf.default.router_solicitations=0 \
      net.ipv6.conf.all.accept_ra=0 || return 1
  done
  ip link add "$IF_C" netns "$NS_C" type veth peer name "$IF_S" netns "$NS_S" || return 1
  ip -n "$NS_C" addr add "$C4/24" dev "$IF_C" || return 1
  ip -n "$NS_S" addr add "$S4/24" dev "$IF_S" || return 1
  ip -n "$NS_C" addr add "$C6/64" dev "$IF_C" nodad || return 1
  ip -n "$NS_S" addr add "$S6/64" dev "$IF_S" nodad || return 1
  inC ethtool -K "$IF_C" tso off gso off gro off tx off rx off >/dev/null || return 1
  inS ethtool -K "$IF_S" tso off gso off gro off tx off rx off >/dev/null || return 1
  ip -n "$NS_C" link set lo up && ip -n "$NS_S" link set lo up || return 1
  ip -n "$NS_C" link set "$IF_C" up && ip -n "$NS_S" link set "$IF_S" up || return 1
  local i
  for i in $(seq 100); do
    ip -n "$NS_C" link show "$IF_C" | grep -q 'state UP' &&
      ip -n "$NS_S" link show "$IF_S" | grep -q 'state UP' && return 0
    sleep 0.05
  done
  echo "make-pcaps: veth did not come up" >&2
  return 1
}

# Small advertised MSS on both sides (for the segmentation scenario), and back.
set_advmss() { # value|"" (empty = restore)
  local opt=()
  [ -n "$1" ] && opt=(advmss "$1")
  ip -n "$NS_C" route replace 10.99.0.0/24 dev "$IF_C" proto kernel scope link src "$C4" "${opt[@]}" &&
    ip -n "$NS_S" route replace 10.99.0.0/24 dev "$IF_S" proto kernel scope link src "$S4" "${opt[@]}"
}

# ---------------------------------------------------------------- certificates
gen_certs() {
  local d=$CERTS
  cat >"$d/x509.cnf" <<'EOF'
[req]
distinguished_name = dn
prompt = no
[dn]
[ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[server_rsa]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:server.tlsscope.test,IP:10.99.0.2,IP:fd00:99::2
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[server_ec]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:server.tlsscope.test,IP:10.99.0.2,IP:fd00:99::2
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[client]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = clientAuth
subjectAltName = DNS:client.tlsscope.test
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[server_big]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOF
  # the "big" leaf carries many names so that its Certificate message is large
  local san="subjectAltName = DNS:server.tlsscope.test,IP:10.99.0.2" i
  for i in $(seq -w 1 40); do san+=",DNS:host$i.segmented.tlsscope.test"; done
  echo "$san" >>"$d/x509.cnf"

  rsa() { openssl genpkey -algorithm RSA -pkeyopt "rsa_keygen_bits:$2" -out "$d/$1.key" 2>/dev/null; }
  ec()  { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$d/$1.key" 2>/dev/null; }
  sign() { # name subject section issuer serial
    openssl req -new -config "$d/x509.cnf" -key "$d/$1.key" -subj "$2" -out "$d/$1.csr" &&
      openssl x509 -req -in "$d/$1.csr" -CA "$d/$4.pem" -CAkey "$d/$4.key" -set_serial "$5" \
        -days 3650 -sha256 -extfile "$d/x509.cnf" -extensions "$3" -out "$d/$1.pem" 2>/dev/null
  }
  rsa ca 2048 &&
    openssl req -x509 -new -config "$d/x509.cnf" -extensions ca -key "$d/ca.key" -sha256 \
      -subj "/O=tlsscope test/CN=tlsscope Test Root CA" -set_serial 1 -days 3650 -out "$d/ca.pem" &&
    rsa server-rsa 2048 && sign server-rsa "/O=tlsscope test/CN=server.tlsscope.test" server_rsa ca 4096 &&
    ec server-ec && sign server-ec "/O=tlsscope test/CN=server.tlsscope.test" server_ec ca 4097 &&
    rsa client-rsa 2048 && sign client-rsa "/O=tlsscope test/CN=client-rsa.tlsscope.test" client ca 8192 &&
    ec client-ec && sign client-ec "/O=tlsscope test/CN=client-ec.tlsscope.test" client ca 8193 &&
    rsa int1 4096 && sign int1 "/O=tlsscope test/CN=tlsscope Test Intermediate CA 1" ca ca 2 &&
    rsa int2 4096 && sign int2 "/O=tlsscope test/CN=tlsscope Test Intermediate CA 2" ca int1 3 &&
    rsa server-big 4096 && sign server-big "/O=tlsscope test/CN=server.tlsscope.test" server_big int2 4098 &&
    cat "$d/int2.pem" "$d/int1.pem" "$d/ca.pem" >"$d/chain-big.pem" &&
    openssl verify -CAfile "$d/ca.pem" "$d/server-rsa.pem" "$d/server-ec.pem" "$d/client-rsa.pem" "$d/client-ec.pem" >/dev/null &&
    openssl verify -CAfile "$d/ca.pem" -untrusted "$d/chain-big.pem" "$d/server-big.pem" >/dev/null
}

# ---------------------------------------------------------------- scenario plumbing
CUR=           # current scenario (pcap name without .pcap)
SCEN_OK=1
FAILED=()
WRITTEN=()
NSRV=0
NCLI=0
PORT=443       # server port of the next connection
SADDR=$S4      # server address of the next connection (IPv6 in brackets)

fail() { SCEN_OK=0; echo "make-pcaps: [$CUR] $*" >&2; }

# Start a command in the server namespace in the background. It must be a plain command
# (not a shell function) so that $! is the process itself (ip execs timeout, which
# forwards SIGINT/SIGTERM to its child) and not a subshell that ignores SIGINT.
bgS() { # log command...
  local log=$1; shift
  ip netns exec "$NS_S" timeout "$@" >"$log" 2>&1 </dev/null &
  BG_PIDS+=($!)
  LAST_BG=$!
}

begin() { # pcap-name
  CUR=$1; SCEN_OK=1; NSRV=0; NCLI=0; PORT=443; SADDR=$S4
  local err=$LOGS/$CUR.tcpdump.log i
  bgS "$err" "$CAP_TMO" tcpdump -Z root --immediate-mode -n -i "$IF_S" -s 0 -U -w "$CAPS/$CUR.pcap"
  CAP_PID=$LAST_BG
  for i in $(seq 100); do grep -q 'listening on' "$err" && break; sleep 0.05; done
  grep -q 'listening on' "$err" || fail "tcpdump did not start: $(cat "$err")"
  sleep 0.3
}

finish() {
  srv_done
  sleep 0.3                       # let the last FIN/ACKs reach the capture
  if [ -n "$CAP_PID" ]; then kill -INT "$CAP_PID" 2>/dev/null; wait "$CAP_PID" 2>/dev/null; CAP_PID=; fi
  [ -s "$CAPS/$CUR.pcap" ] || fail "empty capture"
  if [ "$SCEN_OK" = 1 ]; then WRITTEN+=("$CUR"); else FAILED+=("$CUR"); fi
}

wait_listen() { # port
  local i
  for i in $(seq 200); do
    inS ss -Hltn "sport = :$1" | grep -q . && return 0
    kill -0 "$SRV_PID" 2>/dev/null || return 1
    sleep 0.05
  done
  return 1
}

srv() { # port command... — start a server in the server namespace, wait until it listens
  local port=$1; shift
  srv_done
  NSRV=$((NSRV + 1)); SRV_LOG=$LOGS/$CUR.srv$NSRV.log
  bgS "$SRV_LOG" "$TMO" "$@"
  SRV_PID=$LAST_BG
  wait_listen "$port" || fail "server did not listen on port $port: $* ($(tail -3 "$SRV_LOG" | tr '\n' ' '))"
}

# Wait for the current server to exit on its own (accept count reached), else stop it.
srv_done() { # [grace-seconds]
  [ -n "$SRV_PID" ] || return 0
  local i n=$(( ${1:-5} * 20 ))
  for i in $(seq "$n"); do kill -0 "$SRV_PID" 2>/dev/null || break; sleep 0.05; done
  kill -0 "$SRV_PID" 2>/dev/null && kill -TERM "$SRV_PID" 2>/dev/null
  wait "$SRV_PID" 2>/dev/null
  SRV_PID=
}
srv_stop() { srv_done 0; }   # for servers without an accept count (gnutls-serv)

srv_log_has() { # regex what
  grep -Eq "$1" "$SRV_LOG" || fail "server log lacks '$1' ($2)"
}

# Run a client in the client namespace; stdin = a little application data.
cli() { # ok|fail command...
  local want=$1; shift
  NCLI=$((NCLI + 1)); CLI_LOG=$LOGS/$CUR.cli$NCLI.log
  printf 'hello from the client, connection %s\nCLOSE\n' "$NCLI" |
    inC timeout "$TMO" "$@" >"$CLI_LOG" 2>&1
  CLI_RC=$?
  if [ "$want" = ok ] && [ "$CLI_RC" != 0 ]; then
    fail "client $NCLI exited $CLI_RC: $* ($(tail -3 "$CLI_LOG" | tr '\n' ' '))"
  fi
  return 0
}

cli_log_has() { # regex what
  grep -Eq "$1" "$CLI_LOG" || fail "client $NCLI log lacks '$1' ($2)"
}

# Record the expectation for the next connection (checked later against tshark).
#   v=1.2|1.3|null cipher=IANA|null sni=name|null alpn=proto|null resumed= hrr= ccr= ccp= est=
#   (booleans: true|false; defaults: 1.3, SNI set, no ALPN, false..., est=true) note="text"
expect() {
  local v=1.3 cipher=null sni=$SNI alpn=null resumed=false hrr=false ccr=false ccp=false est=true note= kv
  for kv in "$@"; do local "$kv"; done
  js() { if [ "$1" = null ]; then printf null; else printf '"%s"' "$1"; fi; }
  printf '{"file":"%s.pcap","server":"%s","server_port":%s,"version":%s,"cipher":%s,"sni":%s,"alpn_selected":%s,"resumed":%s,"hrr":%s,"client_cert_requested":%s,"client_cert_presented":%s,"established":%s,"note":"%s"}\n' \
    "$CUR" "${SADDR//[\[\]]/}" "$PORT" "$(js "$v")" "$(js "$cipher")" "$(js "$sni")" "$(js "$alpn")" \
    "$resumed" "$hrr" "$ccr" "$ccp" "$est" "$note" >>"$SPECS"
  EXP_V=$v EXP_ALPN=$alpn EXP_RESUMED=$resumed EXP_EST=$est EXP_CCP=$ccp EXP_CCR=$ccr
}

# ---- OpenSSL
OSSL_VER_NAME() { case $1 in 1.0) echo TLSv1 ;; *) echo "TLSv$1" ;; esac; }

osrv() { # naccept args... (port/address from PORT/SADDR; RSA cert unless -cert given)
  local n=$1; shift
  local certargs=(-cert "$CERTS/server-rsa.pem" -key "$CERTS/server-rsa.key")
  case " $* " in *" -cert "*) certargs=() ;; esac
  srv "$PORT" openssl s_server -accept "$SADDR:$PORT" -naccept "$n" -rev "${certargs[@]}" "$@"
}

# s_client for the connection described by the last `expect`; checks the client's own
# view (version, resumed, ALPN) when the connection is expected to succeed.
ocli() {
  local sni=(-servername "$SNI")
  case " $* " in *" -noservername "*) sni=() ;; esac
  if [ "$EXP_EST" = true ]; then
    cli ok openssl s_client -connect "$SADDR:$PORT" "${sni[@]}" -CAfile "$CERTS/ca.pem" \
      -verify_return_error -verify_hostname "$SNI" -ign_eof "$@"
    local kind=New; [ "$EXP_RESUMED" = true ] && kind=Reused
    cli_log_has "^$kind, " "expected a $kind session"
    cli_log_has "^ +Protocol +: $(OSSL_VER_NAME "$EXP_V")\$" "expected TLS $EXP_V"
    if [ "$EXP_ALPN" = null ]; then cli_log_has '^No ALPN negotiated' "no ALPN"
    else cli_log_has "^ALPN protocol: $EXP_ALPN\$" "ALPN $EXP_ALPN"; fi
    # s_client prints the server's CertificateRequest signature algorithms iff it got one
    if [ "$EXP_CCR" = true ]; then cli_log_has '^Requested Signature Algorithms' "CertificateRequest"
    elif grep -q '^Requested Signature Algorithms' "$CLI_LOG"; then fail "client $NCLI got an unexpected CertificateRequest"; fi
    cli_log_has '^ *Verify return code: 0 ' "server certificate verified"
    cli_log_has 'olleh' "reply from the server"
  else
    cli any openssl s_client -connect "$SADDR:$PORT" "${sni[@]}" -CAfile "$CERTS/ca.pem" \
      -verify_return_error -verify_hostname "$SNI" -ign_eof "$@"
  fi
}

# Server-side view of client certificates, one line per completed OpenSSL handshake:
# "Peer certificate: ..." or "No peer certificate", in connection order.
osrv_peers_are() { # yes|no ...
  local got want
  got=$(grep -E '^(Peer certificate|No peer certificate)' "$SRV_LOG" | sed -e 's/^Peer certificate.*/yes/' -e 's/^No peer certificate/no/' | tr '\n' ' ')
  want="$* "
  [ "$got" = "$want" ] || fail "server saw client certificates '$got', expected '$want'"
}

CCERT_RSA=(-cert "$CERTS/client-rsa.pem" -key "$CERTS/client-rsa.key")
CCERT_EC=(-cert "$CERTS/client-ec.pem" -key "$CERTS/client-ec.key")
LEGACY=(-cipher 'DEFAULT@SECLEVEL=0')

# ---------------------------------------------------------------- scenarios: OpenSSL
sc_openssl_tls10() {
  begin openssl-tls10
  osrv 1 -tls1 "${LEGACY[@]}" -alpn h2
  expect v=1.0 cipher=TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA alpn=h2 note="OpenSSL TLS 1.0, SECLEVEL=0"
  ocli -tls1 "${LEGACY[@]}" -alpn h2,http/1.1
  finish
}

sc_openssl_tls11() {
  begin openssl-tls11
  osrv 1 -tls1_1 "${LEGACY[@]}" -alpn h2
  expect v=1.1 cipher=TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA alpn=h2 note="OpenSSL TLS 1.1, SECLEVEL=0"
  ocli -tls1_1 "${LEGACY[@]}" -alpn h2,http/1.1
  finish
}

sc_openssl_tls12_ecdhe() {
  begin openssl-tls12-ecdhe
  osrv 2 -tls1_2 -alpn h2 -dcert "$CERTS/server-ec.pem" -dkey "$CERTS/server-ec.key"
  expect v=1.2 cipher=TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 alpn=h2 note="ECDHE-RSA-AES128-GCM-SHA256, RSA server certificate"
  ocli -tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256 -alpn h2,http/1.1
  expect v=1.2 cipher=TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 alpn=h2 note="ECDHE-ECDSA-CHACHA20-POLY1305, ECDSA P-256 server certificate"
  ocli -tls1_2 -cipher ECDHE-ECDSA-CHACHA20-POLY1305 -alpn h2,http/1.1
  finish
}

sc_openssl_tls12_rsa_kx() {
  begin openssl-tls12-rsa-kx
  osrv 2 -tls1_2 -alpn h2
  expect v=1.2 cipher=TLS_RSA_WITH_AES_128_CBC_SHA alpn=h2 note="static RSA key exchange AES128-SHA"
  ocli -tls1_2 -cipher AES128-SHA -alpn h2,http/1.1
  expect v=1.2 cipher=TLS_RSA_WITH_AES_256_GCM_SHA384 note="static RSA key exchange AES256-GCM-SHA384, no ALPN offered"
  ocli -tls1_2 -cipher AES256-GCM-SHA384
  finish
}

sc_openssl_tls13() {
  begin openssl-tls13
  osrv 3 -tls1_3 -alpn h2
  expect v=1.3 cipher=TLS_AES_256_GCM_SHA384 alpn=h2 note="TLS 1.3 defaults, SNI + ALPN"
  ocli -tls1_3 -alpn h2,http/1.1
  expect v=1.3 cipher=TLS_CHACHA20_POLY1305_SHA256 alpn=h2 note="TLS 1.3 ChaCha20-Poly1305"
  ocli -tls1_3 -ciphersuites TLS_CHACHA20_POLY1305_SHA256 -alpn h2,http/1.1
  expect v=1.3 cipher=TLS_AES_128_GCM_SHA256 sni=null note="TLS 1.3 AES-128-GCM, no SNI, no ALPN"
  ocli -tls1_3 -ciphersuites TLS_AES_128_GCM_SHA256 -noservername
  finish
}

sc_openssl_hrr() {
  begin openssl-tls13-hrr
  osrv 2 -tls1_3 -groups P-384
  expect v=1.3 cipher=TLS_AES_256_GCM_SHA384 hrr=true note="client key share X25519, server wants P-384: HelloRetryRequest"
  ocli -tls1_3 -groups X25519:P-384
  cli_log_has '^Server Temp Key: ECDH, (P-384|secp384r1)' "P-384 after HRR"
  expect v=1.3 cipher=TLS_AES_256_GCM_SHA384 note="client key share P-384 directly: no HRR"
  ocli -tls1_3 -groups P-384
  finish
}

sc_openssl_resume_sessionid() {
  begin openssl-tls12-resume-sessionid
  osrv 2 -tls1_2 -no_ticket
  expect v=1.2 cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 note="full handshake, server issues no ticket (session ID cache)"
  ocli -tls1_2 -sess_out "$WORK/sess-id.pem"
  expect v=1.2 cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 resumed=true note="session-ID resumption"
  ocli -tls1_2 -sess_in "$WORK/sess-id.pem"
  finish
}

sc_openssl_resume_ticket() {
  begin openssl-tls12-resume-ticket
  osrv 2 -tls1_2
  expect v=1.2 cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 note="full handshake, NewSessionTicket issued"
  ocli -tls1_2 -sess_out "$WORK/sess-ticket.pem"
  expect v=1.2 cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 resumed=true note="session-ticket resumption (RFC 5077)"
  ocli -tls1_2 -sess_in "$WORK/sess-ticket.pem"
  finish
}

sc_openssl_resume_psk() {
  begin openssl-tls13-resume-psk
  osrv 2 -tls1_3
  expect v=1.3 cipher=TLS_AES_256_GCM_SHA384 note="full handshake, tickets issued"
  ocli -tls1_3 -sess_out "$WORK/sess-psk.pem"
  expect v=1.3 cipher=TLS_AES_256_GCM_SHA384 resumed=true note="PSK resumption (psk_dhe_ke)"
  ocli -tls1_3 -sess_in "$WORK/sess-psk.pem"
  finish
}

sc_openssl_ipv6() {
  begin openssl-ipv6
  SADDR="[$S6]"
  osrv 2 -alpn h2
  expect v=1.3 cipher=TLS_AES_256_GCM_SHA384 alpn=h2 note="IPv6, TLS 1.3"
  ocli -alpn h2,http/1.1
  expect v=1.2 cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 alpn=h2 note="IPv6, TLS 1.2"
  ocli -tls1_2 -alpn h2,http/1.1
  finish
}

sc_openssl_tiny_mss() {
  begin openssl-tls12-tiny-mss
  set_advmss 200 || fail "could not set advmss"
  osrv 2 -cert "$CERTS/server-big.pem" -key "$CERTS/server-big.key" -cert_chain "$CERTS/chain-big.pem" -alpn h2
  # -bugs sets SSL_OP_TLSEXT_PADDING: the ClientHello is padded to 512 bytes (3 segments)
  expect v=1.2 cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 alpn=h2 note="MSS 200, padded ClientHello, 4-certificate chain (RSA 4096) over many segments"
  ocli -tls1_2 -alpn h2,http/1.1 -bugs
  expect v=1.3 cipher=TLS_AES_256_GCM_SHA384 alpn=h2 note="MSS 200, TLS 1.3, padded ClientHello, encrypted chain over many segments"
  ocli -tls1_3 -alpn h2,http/1.1 -bugs
  srv_done
  set_advmss "" || fail "could not restore the route"
  finish
}

sc_openssl_mtls() { # 1.2|1.3
  local v=$1 flag=-tls1_2 c_rsa=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384
  [ "$v" = 1.3 ] && flag=-tls1_3 c_rsa=TLS_AES_256_GCM_SHA384
  begin "openssl-tls${v/./}-mtls"
  osrv 3 "$flag" -Verify 1 -CAfile "$CERTS/ca.pem"
  expect v="$v" cipher=$c_rsa ccr=true ccp=true note="client certificate required, RSA client certificate"
  ocli "$flag" "${CCERT_RSA[@]}"
  expect v="$v" cipher=$c_rsa ccr=true ccp=true note="client certificate required, ECDSA P-256 client certificate"
  ocli "$flag" "${CCERT_EC[@]}"
  expect v="$v" cipher=$c_rsa ccr=true ccp=false est=false note="client certificate required, none sent: server aborts"
  ocli "$flag"
  srv_done
  srv_log_has 'peer did not return a certificate' "required client certificate missing"
  osrv_peers_are yes yes
  osrv 2 "$flag" -verify 1 -CAfile "$CERTS/ca.pem"
  expect v="$v" cipher=$c_rsa ccr=true ccp=false note="client certificate optional, none sent"
  ocli "$flag"
  expect v="$v" cipher=$c_rsa ccr=true ccp=true note="client certificate optional, ECDSA client certificate"
  ocli "$flag" "${CCERT_EC[@]}"
  srv_done
  osrv_peers_are no yes
  finish
}

sc_openssl_failure() {
  begin openssl-tls12-handshake-failure
  osrv 2 -tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256
  expect v=null cipher=null est=false note="client offers only AES256-SHA256, server accepts only ECDHE-RSA-AES128-GCM-SHA256: handshake_failure alert"
  ocli -tls1_2 -cipher AES256-SHA256
  cli_log_has 'alert handshake failure' "handshake_failure alert"
  expect v=null cipher=null est=false note="client offers only TLS 1.1, server only TLS 1.2: protocol_version alert"
  ocli -tls1_1 "${LEGACY[@]}"
  cli_log_has 'alert protocol version' "protocol_version alert"
  finish
}

sc_openssl_ports() {
  begin openssl-nonstandard-ports
  PORT=5555
  osrv 1 -alpn h2
  expect v=1.3 cipher=TLS_AES_256_GCM_SHA384 alpn=h2 note="TLS 1.3 on port 5555"
  ocli -alpn h2,http/1.1
  PORT=8443
  osrv 1 -tls1_2
  expect v=1.2 cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 note="TLS 1.2 on port 8443"
  ocli -tls1_2
  finish
}

# ---------------------------------------------------------------- scenarios: GnuTLS
gsrv() { # priority extra-args...
  local prio=$1; shift
  srv "$PORT" gnutls-serv --echo -p "$PORT" --priority "$prio" \
    --x509certfile "$CERTS/server-rsa.pem" --x509keyfile "$CERTS/server-rsa.key" \
    --x509certfile "$CERTS/server-ec.pem" --x509keyfile "$CERTS/server-ec.key" \
    --x509cafile "$CERTS/ca.pem" "$@"
}
gcli() { # args...
  cli ok gnutls-cli -p "$PORT" --x509cafile "$CERTS/ca.pem" --sni-hostname "$SNI" \
    --verify-hostname "$SNI" "$@" "${SADDR//[\[\]]/}"
  cli_log_has '^- Handshake was completed' "handshake completed"
  cli_log_has 'olleh|hello from the client' "echo from the server"
  if [ "$EXP_ALPN" != null ]; then cli_log_has "^- Application protocol: $EXP_ALPN" "ALPN"; fi
  # gnutls-cli reports "Successfully sent N certificate(s)" only when a certificate was requested
  if [ "$EXP_CCR" = true ]; then
    if [ "$EXP_CCP" = true ]; then cli_log_has '^- Successfully sent [1-9][0-9]* certificate' "client certificate sent"
    else cli_log_has '^- Successfully sent 0 certificate' "certificate requested, none sent"; fi
  elif grep -q '^- Successfully sent' "$CLI_LOG"; then fail "client $NCLI: unexpected CertificateRequest"; fi
}

sc_gnutls() { # 1.2|1.3
  local v=$1 c
  begin "gnutls-tls${v/./}"
  # the server holds an RSA and an ECDSA certificate; for TLS 1.2 GnuTLS prefers ECDSA
  if [ "$v" = 1.3 ]; then c=TLS_AES_256_GCM_SHA384; else c=TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384; fi
  # gnutls-serv requests a client certificate by default (optional; verified if sent)
  gsrv "NORMAL:-VERS-ALL:+VERS-TLS$v" --verify-client-cert --alpn http/1.1
  expect v="$v" cipher=$c ccr=true ccp=false alpn=http/1.1 note="GnuTLS, certificate requested, none sent"
  gcli --alpn http/1.1
  expect v="$v" cipher=$c ccr=true ccp=true note="GnuTLS, certificate requested, RSA client certificate sent"
  gcli --x509certfile "$CERTS/client-rsa.pem" --x509keyfile "$CERTS/client-rsa.key"
  srv_stop
  gsrv "NORMAL:-VERS-ALL:+VERS-TLS$v" --disable-client-cert
  expect v="$v" cipher=$c note="GnuTLS, no certificate request"
  gcli
  srv_stop
  finish
}

# ---------------------------------------------------------------- scenarios: Node
nsrv() { # args...
  srv "$PORT" node "$HELPERS/node-tls.mjs" server --host "${SADDR//[\[\]]/}" --port "$PORT" --ca "$CERTS/ca.pem" "$@"
}
ncli() { # args...
  cli ok node "$HELPERS/node-tls.mjs" client --host "${SADDR//[\[\]]/}" --port "$PORT" \
    --servername "$SNI" --ca "$CERTS/ca.pem" "$@"
}

sc_node() { # 1.2|1.3
  local v=$1 c1 c2
  begin "node-tls${v/./}"
  if [ "$v" = 1.3 ]; then c1=TLS_AES_256_GCM_SHA384 c2=TLS_AES_256_GCM_SHA384
  else c1=TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 c2=TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256; fi
  local ver=(--min "TLSv$v" --max "TLSv$v")
  # 1) no certificate request; full handshake then resumption with the saved session
  nsrv "${ver[@]}" --accept 2 --cert "$CERTS/server-rsa.pem" --key "$CERTS/server-rsa.key" --alpn h2
  local how="session ticket"; [ "$v" = 1.3 ] && how="PSK"
  expect v="$v" cipher=$c1 alpn=h2 note="Node, full handshake (session saved from the session event)"
  expect v="$v" cipher=$c1 alpn=h2 resumed=true note="Node, resumed via the session option ($how)"
  ncli "${ver[@]}" --alpn h2,http/1.1 --resume
  srv_done
  # 2) requestCert + rejectUnauthorized: client presents an RSA certificate
  nsrv "${ver[@]}" --accept 1 --cert "$CERTS/server-ec.pem" --key "$CERTS/server-ec.key" --request-cert --reject-unauthorized
  expect v="$v" cipher=$c2 ccr=true ccp=true note="Node, ECDSA server, client certificate required and sent"
  ncli "${ver[@]}" --cert "$CERTS/client-rsa.pem" --key "$CERTS/client-rsa.key" --expect-peer-cert yes
  srv_done
  # 3) requestCert without rejectUnauthorized: client sends none, still succeeds
  nsrv "${ver[@]}" --accept 1 --cert "$CERTS/server-ec.pem" --key "$CERTS/server-ec.key" --request-cert
  expect v="$v" cipher=$c2 ccr=true ccp=false note="Node, client certificate requested (optional), none sent"
  ncli "${ver[@]}" --expect-peer-cert no
  srv_done
  finish
}

# ---------------------------------------------------------------- main
START=$(date +%s)
setup_net || exit 1
gen_certs || { echo "make-pcaps: certificate generation failed" >&2; exit 1; }

sc_openssl_tls10
sc_openssl_tls11
sc_openssl_tls12_ecdhe
sc_openssl_tls12_rsa_kx
sc_openssl_tls13
sc_openssl_hrr
sc_openssl_resume_sessionid
sc_openssl_resume_ticket
sc_openssl_resume_psk
sc_openssl_ipv6
sc_openssl_tiny_mss
sc_openssl_mtls 1.2
sc_openssl_mtls 1.3
sc_gnutls 1.3
sc_gnutls 1.2
sc_node 1.3
sc_node 1.2
sc_openssl_failure
sc_openssl_ports

# Check every capture with tshark against its expectations and build expected.json.
if ! node "$HELPERS/expected.mjs" --specs "$SPECS" --pcaps "$CAPS" --out "$WORK/expected.json" >"$LOGS/expected.log" 2>&1; then
  cat "$LOGS/expected.log" >&2
  FAILED+=("tshark-check")
fi

if [ ${#FAILED[@]} -gt 0 ]; then
  echo "make-pcaps: FAILED: ${FAILED[*]} (pcaps/ left unchanged; KEEP_WORK=1 keeps the logs)" >&2
  exit 1
fi

mkdir -p "$OUT_DIR"
for name in "${WRITTEN[@]}"; do
  cp "$CAPS/$name.pcap" "$OUT_DIR/$name.pcap.tmp" && mv -f "$OUT_DIR/$name.pcap.tmp" "$OUT_DIR/$name.pcap"
  echo "wrote pcaps/$name.pcap ($(stat -c %s "$OUT_DIR/$name.pcap") bytes, $(grep -c "\"file\":\"$name.pcap\"" "$SPECS") connections)"
done
cp "$WORK/expected.json" "$OUT_DIR/expected.json.tmp" && mv -f "$OUT_DIR/expected.json.tmp" "$OUT_DIR/expected.json"
# Refresh the generated table in pcaps/README.md (between its marker lines), if present.
if [ -f "$OUT_DIR/README.md" ] && grep -q '^<!-- table:begin' "$OUT_DIR/README.md"; then
  TOOLS="$(openssl version | cut -d' ' -f1-2), GnuTLS $(gnutls-cli --version 2>/dev/null | head -1 | awk '{print $2}'), Node $(node --version), $(tshark --version 2>/dev/null | head -1 | cut -d' ' -f1-3)"
  if node "$HELPERS/expected.mjs" --table "$OUT_DIR/expected.json" --tools "$TOOLS" >"$WORK/table.md"; then
    awk -v tbl="$WORK/table.md" '
      /^<!-- table:begin/ { print; while ((getline l < tbl) > 0) print l; skip = 1; next }
      /^<!-- table:end/   { skip = 0 }
      !skip' "$OUT_DIR/README.md" >"$OUT_DIR/README.md.tmp" && mv -f "$OUT_DIR/README.md.tmp" "$OUT_DIR/README.md"
    echo "wrote pcaps/README.md (table)"
  else
    echo "make-pcaps: could not regenerate the README table" >&2
  fi
fi
echo "wrote pcaps/expected.json ($(( $(date +%s) - START ))s)"
