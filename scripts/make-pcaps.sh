#!/usr/bin/env bash
# make-pcaps.sh — regenerate tlsscope's own test captures (pcaps/*.pcap and
# pcaps/expected.json) with real TLS stacks: OpenSSL (s_server/s_client), GnuTLS
# (gnutls-serv/gnutls-cli), Node's tls module, Go's crypto/tls and Java's JSSE.
#
# Everything runs inside two throw-away network namespaces joined by one veth pair:
#   client  tlsscope-c-<pid>  vethC<pid>  10.99.0.1/24  fd00:99::1/64
#   server  tlsscope-s-<pid>  vethS<pid>  10.99.0.2/24  fd00:99::2/64
# No other address is ever used; the namespaces (and every process in them) are
# removed on exit, also on failure or Ctrl-C. tcpdump runs in the server namespace.
# Certificates are generated per run in a temporary directory and never kept, except the
# certificate (not the key) of the findings root CA: the findings-*.pcap captures raise (and
# deliberately do not raise) every finding id, and their test replays them with
# pcaps/findings-ca.pem as trust anchor and pcaps/findings-policy.yaml as policy, both
# written by the same run.
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
for t in ip ss ethtool tcpdump openssl gnutls-cli gnutls-serv node go java javac tshark timeout; do
  command -v "$t" >/dev/null 2>&1 || missing+=("$t")
done
if [ ${#missing[@]} -gt 0 ]; then
  die "missing tool(s): ${missing[*]} (Debian: apt-get install -y iproute2 ethtool tcpdump openssl gnutls-bin nodejs golang openjdk-17-jdk-headless tshark coreutils)"
fi
openssl version | grep -q '^OpenSSL 3' || die "need OpenSSL 3.x, found: $(openssl version)"
[ -f "$HELPERS/node-tls.mjs" ] && [ -f "$HELPERS/expected.mjs" ] && [ -f "$HELPERS/go-tls/main.go" ] && [ -f "$HELPERS/JavaTls.java" ] ||
  die "missing helpers in $HELPERS"

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

# ---------------------------------------------------------------- certificates: findings
# The findings scenarios use their own PKI under $FX: a root CA whose certificate (never its
# key) becomes pcaps/findings-ca.pem, the trust anchor the findings test replays with. Every
# leaf has its own key (except the deliberate renewal that keeps its key), its own name
# under $FD, and dates relative to now (the capture's packet time is a few seconds later).
FD=findings.tlsscope.test
FX=$CERTS/findings
declare -A FKEY_TYPE=()   # key name -> rsa|ec
declare -A FCERT_KEY=()   # certificate name -> key name

fdate() { date -u -d "@$(( FNOW + $1 * 86400 ))" +%Y%m%d%H%M%SZ; }   # days from now
fkey() { # name rsa:BITS|ec:CURVE
  case $2 in
    rsa:*) FKEY_TYPE[$1]=rsa; openssl genpkey -algorithm RSA -pkeyopt "rsa_keygen_bits:${2#rsa:}" -out "$FX/$1.key" 2>/dev/null ;;
    ec:*)  FKEY_TYPE[$1]=ec;  openssl genpkey -algorithm EC -pkeyopt "ec_paramgen_curve:${2#ec:}" -out "$FX/$1.key" 2>/dev/null ;;
  esac
}
fext() { # file san|"" server|client
  local ku=digitalSignature eku=serverAuth
  [ "$3" = client ] && eku=clientAuth
  [ "${FKEY_TYPE[$4]}" = rsa ] && [ "$3" = server ] && ku=digitalSignature,keyEncipherment
  {
    echo "[x]"
    echo "basicConstraints = critical,CA:FALSE"
    echo "keyUsage = critical,$ku"
    echo "extendedKeyUsage = $eku"
    [ -n "$2" ] && echo "subjectAltName = $2"
    echo "subjectKeyIdentifier = hash"
    echo "authorityKeyIdentifier = keyid"
  } >"$1"
}
# Issue a certificate with `openssl ca` (the only way OpenSSL 3.0 sets arbitrary dates).
fissue() { # cert key CN issuer from-days to-days md san|"" [server|client|int]
  local c=$1 k=$2 cn=$3 iss=$4 from=$5 to=$6 md=$7 san=$8 kind=${9:-server} ext=x
  FCERT_KEY[$c]=$k
  if [ "$kind" = int ]; then ext=int; else fext "$FX/$c.ext" "$san" "$kind" "$k"; fi
  openssl req -new -config "$FX/ca.cnf" -key "$FX/$k.key" -subj "/O=tlsscope test/CN=$cn" -out "$FX/$c.csr" &&
    openssl ca -batch -config "$FX/ca.cnf" -notext -cert "$FX/$iss.pem" -keyfile "$FX/${FCERT_KEY[$iss]}.key" \
      -md "$md" -startdate "$(fdate "$from")" -enddate "$(fdate "$to")" \
      $([ "$kind" = int ] && echo "-extensions int" || echo "-extfile $FX/$c.ext -extensions x") \
      -in "$FX/$c.csr" -out "$FX/$c.pem" >"$FX/$c.log" 2>&1 ||
    { echo "make-pcaps: openssl ca failed for $c: $(tail -3 "$FX/$c.log")" >&2; return 1; }
}
# Self-signed certificate (a root, or the self-signed server leaf).
fself() { # cert key CN md section|leaf san
  local c=$1 k=$2 cn=$3 md=$4 sect=$5 san=${6:-}
  FCERT_KEY[$c]=$k
  cp "$FX/ca.cnf" "$FX/$c.cnf"
  if [ "$sect" = leaf ]; then
    fext "$FX/$c.ext" "$san" server "$k" && cat "$FX/$c.ext" >>"$FX/$c.cnf" && sect=x
  fi
  openssl req -x509 -new -config "$FX/$c.cnf" -extensions "$sect" -key "$FX/$k.key" \
    "-$md" -subj "/O=tlsscope test/CN=$cn" -set_serial "$((RANDOM + 2))" -days 3650 -out "$FX/$c.pem" 2>"$FX/$c.log" ||
    { echo "make-pcaps: self-signed $c failed: $(tail -3 "$FX/$c.log")" >&2; return 1; }
}
fsha()  { openssl x509 -in "$FX/$1.pem" -outform DER | sha256sum | awk '{print toupper($1)}'; }
fspki() { openssl x509 -in "$FX/$1.pem" -noout -pubkey | openssl pkey -pubin -outform DER | sha256sum | cut -d' ' -f1; }
ftext() { openssl x509 -in "$FX/$1.pem" -noout -text; }
# Check that a certificate came out as configured (the findings expected from it rest on this).
fhas() { # cert regex what
  ftext "$1" | grep -Eq "$2" || { echo "make-pcaps: certificate $1: lacks '$2' ($3)" >&2; return 1; }
}
fvalid_at() { # cert days-from-now: is the certificate valid then?
  local nb na t=$(( $(date +%s) + $2 * 86400 ))
  nb=$(date -u -d "$(openssl x509 -in "$FX/$1.pem" -noout -startdate | cut -d= -f2)" +%s)
  na=$(date -u -d "$(openssl x509 -in "$FX/$1.pem" -noout -enddate | cut -d= -f2)" +%s)
  [ "$nb" -le "$t" ] && [ "$t" -le "$na" ]
}
fcheck() { # cert expect-valid-now(yes|no) [valid-in-31-days yes|no]
  local now=no later=no
  fvalid_at "$1" 0 && now=yes
  fvalid_at "$1" 31 && later=yes
  [ "$now" = "$2" ] || { echo "make-pcaps: certificate $1 valid now: $now, wanted $2" >&2; return 1; }
  [ -z "${3:-}" ] || [ "$later" = "$3" ] || { echo "make-pcaps: certificate $1 valid in 31 days: $later, wanted $3" >&2; return 1; }
}

gen_findings_certs() {
  FNOW=$(date +%s)
  mkdir -p "$FX/new" && : >"$FX/index.txt" && echo 1000 >"$FX/serial" || return 1
  cat >"$FX/ca.cnf" <<CNF
[ca]
default_ca = fca
[fca]
dir = $FX
database = $FX/index.txt
new_certs_dir = $FX/new
serial = $FX/serial
policy = pol
unique_subject = no
copy_extensions = none
default_md = sha256
email_in_dn = no
[pol]
organizationName = optional
commonName = optional
[req]
distinguished_name = dn
prompt = no
[dn]
[root]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[int]
basicConstraints = critical,CA:TRUE,pathlen:0
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
CNF
  local san
  # trust anchors: the findings root (committed as pcaps/findings-ca.pem) and a root nobody
  # trusts, self-signed with SHA-1 (a self-signature is never a weak_signature)
  fkey root rsa:2048 && fself root root "tlsscope Findings Root CA" sha256 root &&
    fkey other-root rsa:2048 && fself other-root other-root "tlsscope Untrusted Root CA" sha1 root &&
    fkey int rsa:2048 && fissue int int "tlsscope Findings Intermediate CA" root -400 3000 sha256 "" int || return 1
  # server leaves: name, key, CN, issuer, valid from/to (days), digest, SAN
  fkey clean rsa:2048 && fissue clean clean "clean.$FD" root -1 365 sha256 "DNS:clean.$FD" &&
    fkey ec ec:P-256 && fissue ec ec "ec.$FD" root -1 365 sha256 "DNS:ec.$FD" &&
    fkey via-int rsa:2048 && fissue via-int via-int "int.$FD" int -1 365 sha256 "DNS:int.$FD" &&
    fkey no-int rsa:2048 && fissue no-int no-int "noint.$FD" int -1 365 sha256 "DNS:noint.$FD" &&
    fkey rsa1024 rsa:1024 && fissue rsa1024 rsa1024 "rsa1024.$FD" root -1 365 sha256 "DNS:rsa1024.$FD" &&
    fkey p224 ec:P-224 && fissue p224 p224 "p224.$FD" root -1 365 sha256 "DNS:p224.$FD" &&
    fkey sha1 rsa:2048 && fissue sha1 sha1 "sha1.$FD" root -1 365 sha1 "DNS:sha1.$FD" &&
    fkey expired rsa:2048 && fissue expired expired "expired.$FD" root -400 -10 sha256 "DNS:expired.$FD" &&
    fkey future rsa:2048 && fissue future future "future.$FD" root 10 375 sha256 "DNS:future.$FD" &&
    fkey expiring rsa:2048 && fissue expiring expiring "expiring.$FD" root -355 10 sha256 "DNS:expiring.$FD" &&
    fkey selfsigned rsa:2048 && fself selfsigned selfsigned "selfsigned.$FD" sha256 leaf "DNS:selfsigned.$FD" &&
    fkey untrusted rsa:2048 && fissue untrusted untrusted "untrusted.$FD" other-root -1 365 sha256 "DNS:untrusted.$FD" &&
    fkey mismatch rsa:2048 && fissue mismatch mismatch "mismatch.$FD" root -1 365 sha256 "DNS:mismatch.$FD" &&
    fkey wild rsa:2048 && fissue wild wild "*.wild.$FD" root -1 365 sha256 "DNS:*.wild.$FD" &&
    fkey cn-only rsa:2048 && fissue cn-only cn-only "cn-only.$FD" root -1 365 sha256 "" || return 1
  # renewals: same key (not rotated) and a new key (rotated)
  fkey rot-same rsa:2048 && fissue rot-same-1 rot-same "same.rotate.$FD" root -60 305 sha256 "DNS:same.rotate.$FD" &&
    fissue rot-same-2 rot-same "same.rotate.$FD" root -1 364 sha256 "DNS:same.rotate.$FD" &&
    fkey rot-new-1 rsa:2048 && fissue rot-new-1 rot-new-1 "new.rotate.$FD" root -60 305 sha256 "DNS:new.rotate.$FD" &&
    fkey rot-new-2 rsa:2048 && fissue rot-new-2 rot-new-2 "new.rotate.$FD" root -1 364 sha256 "DNS:new.rotate.$FD" || return 1
  # client certificates
  fkey client rsa:2048 && fissue client client "client.$FD" root -1 365 sha256 "DNS:client.$FD" client &&
    fkey client1024 rsa:1024 && fissue client1024 client1024 "client1024.$FD" root -1 365 sha256 "DNS:client1024.$FD" client &&
    fkey client-md5 rsa:2048 && fissue client-md5 client-md5 "client-md5.$FD" root -1 365 md5 "DNS:client-md5.$FD" client || return 1
  # DH groups (named, so nothing slow to generate): RFC 5114 §2.1 1024-bit, RFC 7919 ffdhe2048
  openssl genpkey -genparam -algorithm DH -pkeyopt group:dh_1024_160 -out "$FX/dh1024.pem" 2>/dev/null &&
    openssl genpkey -genparam -algorithm DH -pkeyopt group:ffdhe2048 -out "$FX/dh2048.pem" 2>/dev/null || return 1
  cat "$FX/root.pem" >"$FX/root-only.pem"

  # ---- the properties each finding rests on, checked on the files
  local c
  for c in clean ec via-int no-int rsa1024 p224 expired future expiring untrusted mismatch wild cn-only \
           rot-same-1 rot-same-2 rot-new-1 rot-new-2 client client1024 int; do
    fhas "$c" 'Signature Algorithm: sha256WithRSAEncryption' "SHA-256 signature" || return 1
  done
  for c in clean via-int no-int sha1 expired future expiring selfsigned untrusted mismatch wild cn-only \
           rot-same-1 rot-same-2 rot-new-1 rot-new-2 client client-md5 root other-root int; do
    fhas "$c" 'Public-Key: \(2048 bit\)' "RSA 2048" || return 1
  done
  fhas ec 'ASN1 OID: prime256v1' "P-256" && fhas ec 'Public-Key: \(256 bit\)' "256-bit EC" &&
    fhas rsa1024 'Public-Key: \(1024 bit\)' "RSA 1024" && fhas client1024 'Public-Key: \(1024 bit\)' "RSA 1024" &&
    fhas p224 'ASN1 OID: secp224r1' "P-224" && fhas p224 'Public-Key: \(224 bit\)' "224-bit EC" &&
    fhas sha1 'Signature Algorithm: sha1WithRSAEncryption' "SHA-1 signature" &&
    fhas client-md5 'Signature Algorithm: md5WithRSAEncryption' "MD5 signature" &&
    fhas other-root 'Signature Algorithm: sha1WithRSAEncryption' "SHA-1 self-signature" &&
    fhas selfsigned 'Signature Algorithm: sha256WithRSAEncryption' "SHA-256 self-signature" &&
    fhas cn-only 'Subject: O = tlsscope test, CN = cn-only' "CN" || return 1
  ftext cn-only | grep -q 'Subject Alternative Name' && { echo "make-pcaps: cn-only has a SAN" >&2; return 1; }
  [ "$(openssl x509 -in "$FX/selfsigned.pem" -noout -subject | cut -d= -f2-)" = "$(openssl x509 -in "$FX/selfsigned.pem" -noout -issuer | cut -d= -f2-)" ] ||
    { echo "make-pcaps: selfsigned is not self-issued" >&2; return 1; }
  # dates: valid now and in 31 days / valid now, not in 31 days / not valid now
  for c in clean ec via-int no-int rsa1024 p224 sha1 selfsigned untrusted mismatch wild cn-only \
           rot-same-1 rot-same-2 rot-new-1 rot-new-2 client client1024 client-md5 int; do
    fcheck "$c" yes yes || return 1
  done
  fcheck expiring yes no && fcheck expired no && fcheck future no && fvalid_at future 11 || return 1
  # chains: what validates under the findings root, and what does not
  openssl verify -CAfile "$FX/root.pem" "$FX/clean.pem" "$FX/ec.pem" "$FX/rsa1024.pem" "$FX/p224.pem" \
    "$FX/mismatch.pem" "$FX/wild.pem" "$FX/cn-only.pem" "$FX/rot-same-1.pem" "$FX/rot-same-2.pem" \
    "$FX/rot-new-1.pem" "$FX/rot-new-2.pem" "$FX/expiring.pem" "$FX/client.pem" >/dev/null &&
    openssl verify -CAfile "$FX/root.pem" -untrusted "$FX/int.pem" "$FX/via-int.pem" >/dev/null || return 1
  openssl verify -CAfile "$FX/root.pem" "$FX/no-int.pem" >/dev/null 2>&1 && { echo "make-pcaps: no-int validates without its intermediate" >&2; return 1; }
  openssl verify -CAfile "$FX/root.pem" "$FX/untrusted.pem" >/dev/null 2>&1 && { echo "make-pcaps: untrusted validates" >&2; return 1; }
  # renewals: the same key with a new serial and a later notBefore; and a new key
  [ "$(fspki rot-same-1)" = "$(fspki rot-same-2)" ] && [ "$(fspki rot-new-1)" != "$(fspki rot-new-2)" ] &&
    [ "$(openssl x509 -in "$FX/rot-same-1.pem" -noout -serial)" != "$(openssl x509 -in "$FX/rot-same-2.pem" -noout -serial)" ] &&
    fvalid_at rot-same-1 -30 && ! fvalid_at rot-same-2 -30 && fvalid_at rot-new-1 -30 && ! fvalid_at rot-new-2 -30 ||
    { echo "make-pcaps: renewal certificates are not as intended" >&2; return 1; }
  # every other leaf has a key of its own (no accidental key_not_rotated)
  local spkis
  spkis=$(for c in clean ec via-int no-int rsa1024 p224 sha1 expired future expiring selfsigned untrusted mismatch wild cn-only rot-same-1 rot-new-1 rot-new-2; do fspki "$c"; done)
  [ "$(sort <<<"$spkis" | uniq -d)" = "" ] || { echo "make-pcaps: two findings leaves share a key" >&2; return 1; }
  openssl pkeyparam -in "$FX/dh1024.pem" -noout -text 2>/dev/null | grep -q '(1024 bit)' &&
    openssl pkeyparam -in "$FX/dh2048.pem" -noout -text 2>/dev/null | grep -Eq '\(2048 bit\)|ffdhe2048' ||
    { echo "make-pcaps: DH parameters are not 1024/2048 bits" >&2; return 1; }
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
# Findings scenarios add:
#   findings=id,id|""   the finding ids the connection must raise ("" = none); omitted = not checked
#   scerts="a b"        the server's Certificate message must carry exactly these $FX certificates
#   ccerts="a"          the same for the client's Certificate message
#   ri=true|false       the ServerHello carries renegotiation_info (0xff01) or not
#   dhbits=N            the ServerKeyExchange has a finite-field DH prime of N bits
expect() {
  local v=1.3 cipher=null sni=$SNI alpn=null resumed=false hrr=false ccr=false ccp=false est=true note= kv
  local findings=- scerts=- ccerts=- ri=- dhbits=-
  for kv in "$@"; do local "$kv"; done
  js() { if [ "$1" = null ]; then printf null; else printf '"%s"' "$1"; fi; }
  shas() { local c out=; for c in $1; do out+="${out:+,}\"$(fsha "$c")\""; done; printf '[%s]' "$out"; }
  local extra= wire=
  if [ "$findings" != - ]; then
    local ids=
    [ -n "$findings" ] && ids="\"${findings//,/\",\"}\""
    extra+=",\"findings\":[$ids]"
  fi
  [ "$scerts" != - ] && wire+="${wire:+,}\"server_certs\":$(shas "$scerts")"
  [ "$ccerts" != - ] && wire+="${wire:+,}\"client_certs\":$(shas "$ccerts")"
  [ "$ri" != - ] && wire+="${wire:+,}\"renegotiation_info\":$ri"
  [ "$dhbits" != - ] && wire+="${wire:+,}\"dh_prime_bits\":$dhbits"
  [ -n "$wire" ] && extra+=",\"wire\":{$wire}"
  printf '{"file":"%s.pcap","server":"%s","server_port":%s,"version":%s,"cipher":%s,"sni":%s,"alpn_selected":%s,"resumed":%s,"hrr":%s,"client_cert_requested":%s,"client_cert_presented":%s,"established":%s,"note":"%s"%s}\n' \
    "$CUR" "${SADDR//[\[\]]/}" "$PORT" "$(js "$v")" "$(js "$cipher")" "$(js "$sni")" "$(js "$alpn")" \
    "$resumed" "$hrr" "$ccr" "$ccp" "$est" "$note" "$extra" >>"$SPECS"
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

resume_scenario() { # pcap version cipher session-file server-flags note-full note-resumed
  local pcap=$1 v=$2 cipher=$3 sess="$WORK/$4" srvflags=$5 full=$6 again=$7
  begin "$pcap"
  # shellcheck disable=SC2086 # server flags are words
  osrv 2 -tls${v/./_} $srvflags
  expect v="$v" cipher="$cipher" note="$full"
  ocli -tls${v/./_} -sess_out "$sess"
  expect v="$v" cipher="$cipher" resumed=true note="$again"
  ocli -tls${v/./_} -sess_in "$sess"
  finish
}

sc_openssl_resume_sessionid() {
  resume_scenario openssl-tls12-resume-sessionid 1.2 TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 sess-id.pem -no_ticket \
    "full handshake, server issues no ticket (session ID cache)" "session-ID resumption"
}

sc_openssl_resume_ticket() {
  resume_scenario openssl-tls12-resume-ticket 1.2 TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 sess-ticket.pem "" \
    "full handshake, NewSessionTicket issued" "session-ticket resumption (RFC 5077)"
}

sc_openssl_resume_psk() {
  resume_scenario openssl-tls13-resume-psk 1.3 TLS_AES_256_GCM_SHA384 sess-psk.pem "" \
    "full handshake, tickets issued" "PSK resumption (psk_dhe_ke)"
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

# ---------------------------------------------------------------- scenarios: Go and Java
# Two more stacks with their own record habits: Go sends each handshake message in a record of
# its own, and as a server sends its session tickets before the client's Finished when it asked
# for a client certificate; Java's JSSE pads every TLS 1.3 record by 16 bytes. The helpers are
# built into the work directory (Go's standard library only; javac).
build_helpers() {
  (cd "$HELPERS/go-tls" && GOFLAGS=-mod=mod go build -o "$WORK/go-tls" .) >"$LOGS/go-build.log" 2>&1 ||
    { echo "make-pcaps: go build failed: $(tail -3 "$LOGS/go-build.log")" >&2; return 1; }
  javac -d "$WORK/java" "$HELPERS/JavaTls.java" >"$LOGS/javac.log" 2>&1 ||
    { echo "make-pcaps: javac failed: $(tail -3 "$LOGS/javac.log")" >&2; return 1; }
}
xsrv() { # go|java args... — the helper's server on PORT
  local stack=$1; shift
  if [ "$stack" = go ]; then srv "$PORT" "$WORK/go-tls" server --host "${SADDR//[\[\]]/}" --port "$PORT" --ca "$CERTS/ca.pem" "$@"
  else srv "$PORT" java -cp "$WORK/java" JavaTls server --host "${SADDR//[\[\]]/}" --port "$PORT" --ca "$CERTS/ca.pem" "$@"; fi
}
xcli() { # go|java args... — the helper's client; it checks the server's view itself (--expect-peer-cert)
  local stack=$1; shift
  local common=(--host "${SADDR//[\[\]]/}" --port "$PORT" --ca "$CERTS/ca.pem" --servername "$SNI")
  if [ "$stack" = go ]; then cli ok "$WORK/go-tls" client "${common[@]}" "$@"
  else cli ok java -cp "$WORK/java" JavaTls client "${common[@]}" "$@"; fi
}
SRV_RSA=(--cert "$CERTS/server-rsa.pem" --key "$CERTS/server-rsa.key")
SRV_EC=(--cert "$CERTS/server-ec.pem" --key "$CERTS/server-ec.key")
CLI_RSA=(--cert "$CERTS/client-rsa.pem" --key "$CERTS/client-rsa.key")
CLI_EC=(--cert "$CERTS/client-ec.pem" --key "$CERTS/client-ec.key")

# A server that requires a client certificate (RSA server certificate): a client that sends one,
# then one of the server's own stack that sends none, which the server refuses.
x_required() { # server-stack client-stack version cipher key-kind client-cert-args...
  local ss=$1 cs=$2 v=$3 c=$4 kind=$5
  shift 5
  xsrv "$ss" --max "$v" --accept 2 --client-auth require "${SRV_RSA[@]}"
  expect v="$v" cipher="$c" ccr=true ccp=true note="$ss server, $cs client, client certificate required, $kind client certificate"
  xcli "$cs" --max "$v" --expect-peer-cert yes "$@"
  expect v="$v" cipher="$c" ccr=true ccp=false est=false note="$ss server and client, client certificate required, none sent: server aborts"
  xcli "$ss" --max "$v" --expect-fail
  srv_done
}

sc_go() { # 1.2|1.3
  local v=$1 c_rsa c_ec
  begin "go-tls${v/./}"
  if [ "$v" = 1.3 ]; then c_rsa=TLS_AES_128_GCM_SHA256 c_ec=TLS_AES_128_GCM_SHA256
  else c_rsa=TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 c_ec=TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256; fi
  local how="session ticket"; [ "$v" = 1.3 ] && how="PSK"
  xsrv go --max "$v" --accept 2 --alpn h2 "${SRV_RSA[@]}"
  expect v="$v" cipher=$c_rsa alpn=h2 note="Go, full handshake"
  expect v="$v" cipher=$c_rsa alpn=h2 resumed=true note="Go, resumed ($how)"
  xcli go --max "$v" --alpn h2,http/1.1 --resume --expect-peer-cert no
  srv_done
  xsrv go --max "$v" --accept 2 --client-auth request "${SRV_EC[@]}"
  expect v="$v" cipher=$c_ec ccr=true ccp=false note="Go, ECDSA server, client certificate optional, none sent"
  xcli go --max "$v" --expect-peer-cert no
  expect v="$v" cipher=$c_ec ccr=true ccp=true note="Go, ECDSA server, client certificate optional, RSA client certificate"
  xcli go --max "$v" --expect-peer-cert yes "${CLI_RSA[@]}"
  srv_done
  x_required go go "$v" "$c_rsa" ECDSA "${CLI_EC[@]}"
  finish
}

sc_java() { # 1.2|1.3
  local v=$1 c
  begin "java-tls${v/./}"
  if [ "$v" = 1.3 ]; then c=TLS_AES_256_GCM_SHA384; else c=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384; fi
  xsrv java --max "$v" --accept 1 "${SRV_RSA[@]}"
  expect v="$v" cipher=$c note="Java, no certificate request"
  xcli java --max "$v" --expect-peer-cert no
  srv_done
  xsrv java --max "$v" --accept 2 --client-auth request "${SRV_RSA[@]}"
  expect v="$v" cipher=$c ccr=true ccp=true note="Java, client certificate optional, ECDSA client certificate"
  xcli java --max "$v" --expect-peer-cert yes "${CLI_EC[@]}"
  expect v="$v" cipher=$c ccr=true ccp=false note="Java, client certificate optional, none sent"
  xcli java --max "$v" --expect-peer-cert no
  srv_done
  x_required java go "$v" "$c" RSA "${CLI_RSA[@]}"
  finish
}

# A Java client (padded records) against a Go server (tickets before the client's Finished).
sc_java_go() {
  begin java-go-tls13
  xsrv go --accept 2 --client-auth request "${SRV_RSA[@]}"
  expect v=1.3 cipher=TLS_AES_128_GCM_SHA256 ccr=true ccp=true note="Java client, Go server, client certificate optional, RSA client certificate"
  xcli java --expect-peer-cert yes "${CLI_RSA[@]}"
  expect v=1.3 cipher=TLS_AES_128_GCM_SHA256 ccr=true ccp=false note="Java client, Go server, client certificate optional, none sent"
  xcli java --expect-peer-cert no
  srv_done
  finish
}

# ---------------------------------------------------------------- scenarios: findings
# Connections made to raise (or, just as deliberately, not to raise) each finding. The
# `findings=` of each expect() is what the scenario was built to show; the certificates'
# properties were checked in gen_findings_certs, and expected.mjs checks on the wire that the
# server sent exactly the certificates meant (scerts), the renegotiation_info extension (ri) and
# the DH group size (dhbits). The OpenSSL client trusts only the findings root and must report
# the certificate verdict given to fcli (X509 verify code), so it sees the same problem.
FSNI=            # SNI of the next findings connection
LOW='DEFAULT:@SECLEVEL=0'
MTLS_PORT=9443   # the service pcaps/findings-policy.yaml requires mTLS for
OTHER_PORT=8443  # a port the policy says nothing about

fsrv() { # cert [s_server args...] — one connection, the certificate (and key) from $FX
  local c=$1; shift
  osrv 1 -cert "$FX/$c.pem" -key "$FX/${FCERT_KEY[$c]}.key" "$@"
}

fcli() { # verify-code|- [s_client args...]
  local code=$1; shift
  local mode=ok; [ "$EXP_EST" = true ] || mode=any
  cli "$mode" openssl s_client -connect "$SADDR:$PORT" -servername "$FSNI" -CAfile "$FX/root.pem" \
    -verify_hostname "$FSNI" -ign_eof "$@"
  [ "$EXP_EST" = true ] || return 0
  cli_log_has '^New, ' "a full handshake"
  cli_log_has "^ +Protocol +: $(OSSL_VER_NAME "$EXP_V")\$" "expected TLS $EXP_V"
  [ "$code" = - ] || cli_log_has "^ *Verify return code: $code \\(" "certificate verdict $code"
  if [ "$EXP_CCR" = true ]; then cli_log_has '^Requested Signature Algorithms' "CertificateRequest"
  elif grep -q '^Requested Signature Algorithms' "$CLI_LOG"; then fail "client $NCLI got an unexpected CertificateRequest"; fi
  cli_log_has 'olleh' "reply from the server"
}

# One connection per server, so that each has exactly the configuration its note describes.
sc_findings_protocol() {
  begin findings-protocol
  FSNI=clean.$FD
  local sni=sni=$FSNI
  fsrv clean -tls1_2
  expect v=1.2 cipher=TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 "$sni" findings= scerts=clean ri=true \
    note="clean: TLS 1.2 ECDHE-RSA-AES128-GCM-SHA256, RSA-2048 leaf under the findings root (SHA-256, valid a year), matching SNI"
  fcli 0 -tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256
  fsrv clean -tls1_3
  expect v=1.3 cipher=TLS_AES_256_GCM_SHA384 "$sni" findings= note="clean: TLS 1.3, same certificate"
  fcli 0 -tls1_3
  fsrv clean -tls1 -cipher "$LOW"
  expect v=1.0 cipher=TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA "$sni" findings=deprecated_protocol scerts=clean ri=true note="TLS 1.0 (ECDHE-RSA-AES128-SHA)"
  fcli 0 -tls1 -cipher "ECDHE-RSA-AES128-SHA:@SECLEVEL=0"
  fsrv clean -tls1_1 -cipher "$LOW"
  expect v=1.1 cipher=TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA "$sni" findings=deprecated_protocol scerts=clean ri=true note="TLS 1.1 (ECDHE-RSA-AES128-SHA)"
  fcli 0 -tls1_1 -cipher "ECDHE-RSA-AES128-SHA:@SECLEVEL=0"
  fsrv clean -tls1_2
  expect v=1.2 cipher=TLS_RSA_WITH_AES_128_GCM_SHA256 "$sni" findings=no_forward_secrecy scerts=clean ri=true note="static RSA key exchange AES128-GCM-SHA256"
  fcli 0 -tls1_2 -cipher AES128-GCM-SHA256
  fsrv clean -tls1_2 -cipher "ECDHE-RSA-NULL-SHA:@SECLEVEL=0"
  expect v=1.2 cipher=TLS_ECDHE_RSA_WITH_NULL_SHA "$sni" findings=weak_cipher scerts=clean ri=true note="NULL encryption ECDHE-RSA-NULL-SHA (SECLEVEL=0)"
  fcli 0 -tls1_2 -cipher "ECDHE-RSA-NULL-SHA:@SECLEVEL=0"
  fsrv clean -tls1_2 -cipher "AECDH-AES128-SHA:@SECLEVEL=0"
  expect v=1.2 cipher=TLS_ECDH_anon_WITH_AES_128_CBC_SHA "$sni" findings=weak_cipher scerts= ri=true note="anonymous key exchange AECDH-AES128-SHA: no certificate at all (SECLEVEL=0)"
  fcli - -tls1_2 -cipher "AECDH-AES128-SHA:@SECLEVEL=0"
  cli_log_has '^[Nn]o peer certificate available' "no server certificate"
  fsrv clean -tls1_2 -dhparam "$FX/dh1024.pem" -cipher "DHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0"
  expect v=1.2 cipher=TLS_DHE_RSA_WITH_AES_128_GCM_SHA256 "$sni" findings=weak_dh scerts=clean ri=true dhbits=1024 note="DHE-RSA-AES128-GCM-SHA256 with a 1024-bit DH group (RFC 5114, SECLEVEL=0)"
  fcli 0 -tls1_2 -cipher "DHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0"
  cli_log_has '^Server Temp Key: DH, 1024 bits' "1024-bit DH"
  grep -q 'Unable to load DH' "$SRV_LOG" && fail "server did not load the 1024-bit DH group"
  fsrv clean -tls1_2 -dhparam "$FX/dh2048.pem" -cipher DHE-RSA-AES128-GCM-SHA256
  expect v=1.2 cipher=TLS_DHE_RSA_WITH_AES_128_GCM_SHA256 "$sni" findings= scerts=clean ri=true dhbits=2048 note="DHE-RSA-AES128-GCM-SHA256 with ffdhe2048"
  fcli 0 -tls1_2 -cipher DHE-RSA-AES128-GCM-SHA256
  cli_log_has '^Server Temp Key: DH, 2048 bits' "2048-bit DH"
  fsrv clean -tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256
  expect v=null cipher=null est=false "$sni" findings=handshake_failure scerts= note="client offers only AES256-SHA256, server accepts only ECDHE-RSA-AES128-GCM-SHA256: handshake_failure alert"
  fcli - -tls1_2 -cipher AES256-SHA256
  cli_log_has 'alert handshake failure' "handshake_failure alert"
  finish
}

fgsrv() { # priority cert [gnutls-serv args...]
  local prio=$1 c=$2; shift 2
  srv "$PORT" gnutls-serv --echo -p "$PORT" --priority "$prio" --x509certfile "$FX/$c.pem" \
    --x509keyfile "$FX/${FCERT_KEY[$c]}.key" --disable-client-cert "$@"
}
fgcli() { # priority [gnutls-cli args...] — verifies the server against the findings root
  local prio=$1; shift
  cli ok gnutls-cli -p "$PORT" --x509cafile "$FX/root.pem" --sni-hostname "$FSNI" --verify-hostname "$FSNI" \
    --priority "$prio" "$@" "${SADDR//[\[\]]/}"
  cli_log_has '^- Handshake was completed' "handshake completed"
  cli_log_has 'hello from the client' "echo from the server"
}

sc_findings_gnutls() {
  begin findings-gnutls
  FSNI=clean.$FD
  local sni=sni=$FSNI p=NORMAL:-VERS-ALL:+VERS-TLS1.2
  fgsrv "$p" clean
  expect v=1.2 cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 "$sni" findings= scerts=clean ri=true note="GnuTLS defaults: safe renegotiation confirmed"
  fgcli "$p"
  cli_log_has '^- Options:.*safe renegotiation' "safe renegotiation"
  srv_stop
  fgsrv "$p:%DISABLE_SAFE_RENEGOTIATION" clean
  expect v=1.2 cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 "$sni" findings=insecure_renegotiation scerts=clean ri=false note="GnuTLS server with %DISABLE_SAFE_RENEGOTIATION: no renegotiation_info"
  fgcli "$p"
  grep -q '^- Options:.*safe renegotiation' "$CLI_LOG" && fail "client $NCLI reports safe renegotiation"
  srv_stop
  fgsrv "$p:+3DES-CBC" clean
  expect v=1.2 cipher=TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA "$sni" findings=weak_cipher scerts=clean ri=true note="3DES: TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA (GnuTLS; this OpenSSL has no 3DES)"
  fgcli "$p:-CIPHER-ALL:+3DES-CBC:-KX-ALL:+ECDHE-RSA"
  srv_stop
  fgsrv "$p:+ARCFOUR-128" clean
  expect v=1.2 cipher=TLS_ECDHE_RSA_WITH_RC4_128_SHA "$sni" findings=weak_cipher scerts=clean ri=true note="RC4: TLS_ECDHE_RSA_WITH_RC4_128_SHA (GnuTLS)"
  fgcli "$p:-CIPHER-ALL:+ARCFOUR-128:-KX-ALL:+ECDHE-RSA"
  srv_stop
  fgsrv "$p:+ARCFOUR-128:+RSA:+MD5" clean
  expect v=1.2 cipher=TLS_RSA_WITH_RC4_128_MD5 "$sni" findings=weak_cipher,no_forward_secrecy scerts=clean ri=true note="RC4 with MD5 MAC and static RSA: TLS_RSA_WITH_RC4_128_MD5 (GnuTLS)"
  fgcli "$p:-CIPHER-ALL:+ARCFOUR-128:-KX-ALL:+RSA:-MAC-ALL:+MD5"
  srv_stop
  finish
}

sc_findings_certs() {
  begin findings-certs
  local r=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 e=TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384
  FSNI=clean.$FD; fsrv clean -tls1_2
  expect v=1.2 cipher=$r sni=$FSNI findings= scerts=clean note="clean: RSA-2048 leaf under the findings root"
  fcli 0 -tls1_2
  FSNI=ec.$FD; fsrv ec -tls1_2
  expect v=1.2 cipher=$e sni=$FSNI findings= scerts=ec note="clean: ECDSA P-256 leaf (256 bits is enough)"
  fcli 0 -tls1_2
  FSNI=int.$FD; fsrv via-int -tls1_2 -cert_chain "$FX/int.pem"
  expect v=1.2 cipher=$r sni=$FSNI findings= scerts="via-int int" note="clean: leaf and intermediate sent, root trusted"
  fcli 0 -tls1_2
  FSNI=noint.$FD; fsrv no-int -tls1_2
  expect v=1.2 cipher=$r sni=$FSNI findings=untrusted_chain scerts=no-int note="intermediate not sent: chain incomplete"
  fcli 21 -tls1_2
  FSNI=untrusted.$FD; fsrv untrusted -tls1_2 -cert_chain "$FX/other-root.pem"
  expect v=1.2 cipher=$r sni=$FSNI findings=untrusted_chain scerts="untrusted other-root" note="chain to another root (sent, SHA-1 self-signature: not a weak_signature)"
  fcli 19 -tls1_2
  FSNI=selfsigned.$FD; fsrv selfsigned -tls1_2
  expect v=1.2 cipher=$r sni=$FSNI findings=self_signed,untrusted_chain scerts=selfsigned note="self-signed leaf"
  fcli 18 -tls1_2
  FSNI=expired.$FD; fsrv expired -tls1_2
  expect v=1.2 cipher=$r sni=$FSNI findings=expired,untrusted_chain scerts=expired note="leaf expired 10 days ago (so the chain does not validate either)"
  fcli 10 -tls1_2
  FSNI=future.$FD; fsrv future -tls1_2
  expect v=1.2 cipher=$r sni=$FSNI findings=not_yet_valid,untrusted_chain scerts=future note="leaf valid only from 10 days on (so the chain does not validate either)"
  fcli 9 -tls1_2
  FSNI=expiring.$FD; fsrv expiring -tls1_2
  expect v=1.2 cipher=$r sni=$FSNI findings=expiring_soon scerts=expiring note="leaf expires in 10 days"
  fcli 0 -tls1_2
  FSNI=rsa1024.$FD; fsrv rsa1024 -tls1_2 -cipher "$LOW"
  expect v=1.2 cipher=$r sni=$FSNI findings=weak_key scerts=rsa1024 note="RSA-1024 leaf (SECLEVEL=0)"
  fcli 0 -tls1_2 -cipher "$LOW"
  FSNI=p224.$FD; fsrv p224 -tls1_2 -cipher "$LOW"
  expect v=1.2 cipher=$e sni=$FSNI findings=weak_key scerts=p224 note="ECDSA P-224 leaf (SECLEVEL=0, client offers P-224)"
  fcli 0 -tls1_2 -cipher "$LOW" -groups X25519:P-224
  FSNI=sha1.$FD; fsrv sha1 -tls1_2 -cipher "$LOW"
  expect v=1.2 cipher=$r sni=$FSNI findings=weak_signature scerts=sha1 note="leaf signed with SHA-1 by the findings root (SECLEVEL=0)"
  fcli 0 -tls1_2 -cipher "$LOW"
  FSNI=other.$FD; fsrv mismatch -tls1_2
  expect v=1.2 cipher=$r sni=$FSNI findings=hostname_mismatch scerts=mismatch note="SNI other.$FD, certificate for mismatch.$FD"
  fcli 62 -tls1_2
  FSNI=www.wild.$FD; fsrv wild -tls1_2
  expect v=1.2 cipher=$r sni=$FSNI findings= scerts=wild note="wildcard *.wild.$FD covers www.wild.$FD"
  fcli 0 -tls1_2
  FSNI=deep.www.wild.$FD; fsrv wild -tls1_2
  expect v=1.2 cipher=$r sni=$FSNI findings=hostname_mismatch scerts=wild note="wildcard *.wild.$FD does not cover two labels"
  fcli 62 -tls1_2
  FSNI=cn-only.$FD; fsrv cn-only -tls1_2
  expect v=1.2 cipher=$r sni=$FSNI findings= scerts=cn-only note="no subjectAltName: the CN names the host"
  fcli 0 -tls1_2
  FSNI=selfsigned.$FD; fsrv selfsigned -tls1_3
  expect v=1.3 cipher=TLS_AES_256_GCM_SHA384 sni=$FSNI findings= note="TLS 1.3 with the self-signed leaf: certificates are encrypted, nothing to see"
  fcli 18 -tls1_3
  FSNI=untrusted.$FD; fsrv untrusted -tls1_2 -cert_chain "$FX/other-root.pem"
  expect v=1.2 cipher=$r sni=$FSNI est=false findings=untrusted_chain,handshake_failure scerts="untrusted other-root" note="client verifies and rejects the untrusted chain: unknown_ca alert"
  fcli - -tls1_2 -verify_return_error
  cli_log_has 'self-signed certificate in certificate chain' "client rejected the chain"
  finish
}

sc_findings_mtls() {
  begin findings-mtls
  local r=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 vca=-verifyCAfile
  FSNI=clean.$FD
  local sni=sni=$FSNI
  local cc=(-cert "$FX/client.pem" -key "$FX/client.key")
  PORT=$MTLS_PORT; fsrv clean -tls1_2
  expect v=1.2 cipher=$r "$sni" findings=mtls_missing scerts=clean note="port $MTLS_PORT (policy requires mTLS): no CertificateRequest, no client certificate"
  fcli 0 -tls1_2
  PORT=$OTHER_PORT; fsrv clean -tls1_2
  expect v=1.2 cipher=$r "$sni" findings= scerts=clean note="port $OTHER_PORT (no policy): no CertificateRequest, no client certificate"
  fcli 0 -tls1_2
  PORT=$MTLS_PORT; fsrv clean -tls1_2 -Verify 1 "$vca" "$FX/root.pem"
  expect v=1.2 cipher=$r "$sni" ccr=true ccp=true findings= scerts=clean ccerts="client root" note="port $MTLS_PORT: client certificate required and sent"
  fcli 0 -tls1_2 "${cc[@]}"
  srv_done; osrv_peers_are yes
  PORT=443; fsrv clean -tls1_2 -verify 1 "$vca" "$FX/root.pem"
  expect v=1.2 cipher=$r "$sni" ccr=true ccp=false findings=mtls_missing scerts=clean ccerts= note="client certificate requested (optional), none sent"
  fcli 0 -tls1_2
  srv_done; osrv_peers_are no
  fsrv clean -tls1_2 -Verify 1 "$vca" "$FX/root.pem"
  expect v=1.2 cipher=$r "$sni" ccr=true ccp=false est=false findings=mtls_missing,handshake_failure scerts=clean ccerts= note="client certificate required, none sent: server aborts"
  fcli - -tls1_2
  srv_done; srv_log_has 'peer did not return a certificate' "required client certificate missing"
  fsrv clean -tls1_2 -verify 1 "$vca" "$FX/root.pem" -cipher "$LOW"
  expect v=1.2 cipher=$r "$sni" ccr=true ccp=true findings=weak_key scerts=clean ccerts="client1024 root" note="client certificate with an RSA-1024 key (SECLEVEL=0)"
  fcli 0 -tls1_2 -cipher "$LOW" -cert "$FX/client1024.pem" -key "$FX/client1024.key"
  srv_done; osrv_peers_are yes
  fsrv clean -tls1_2 -verify 1 "$vca" "$FX/root.pem" -cipher "$LOW"
  expect v=1.2 cipher=$r "$sni" ccr=true ccp=true findings=weak_signature scerts=clean ccerts="client-md5 root" note="client certificate signed with MD5 (SECLEVEL=0)"
  fcli 0 -tls1_2 -cipher "$LOW" -cert "$FX/client-md5.pem" -key "$FX/client-md5.key"
  srv_done; osrv_peers_are yes
  finish
}

sc_findings_rotation() {
  begin findings-rotation
  local r=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384
  FSNI=same.rotate.$FD
  fsrv rot-same-1 -tls1_2
  expect v=1.2 cipher=$r sni=$FSNI findings= scerts=rot-same-1 note="first certificate of same.rotate (valid from 60 days ago)"
  fcli 0 -tls1_2
  fsrv rot-same-2 -tls1_2
  expect v=1.2 cipher=$r sni=$FSNI findings=key_not_rotated scerts=rot-same-2 note="renewed certificate (new serial, valid from yesterday) with the SAME key"
  fcli 0 -tls1_2
  fsrv rot-same-2 -tls1_2
  expect v=1.2 cipher=$r sni=$FSNI findings= scerts=rot-same-2 note="the renewed certificate again: nothing new"
  fcli 0 -tls1_2
  FSNI=new.rotate.$FD
  fsrv rot-new-1 -tls1_2
  expect v=1.2 cipher=$r sni=$FSNI findings= scerts=rot-new-1 note="first certificate of new.rotate (valid from 60 days ago)"
  fcli 0 -tls1_2
  fsrv rot-new-2 -tls1_2
  expect v=1.2 cipher=$r sni=$FSNI findings= scerts=rot-new-2 note="renewed certificate with a NEW key"
  fcli 0 -tls1_2
  finish
}

# ---------------------------------------------------------------- main
# ONLY=prefix,prefix runs only the captures whose names start with one of them.
want() { # capture-name
  [ -z "${ONLY:-}" ] && return 0
  local g
  for g in ${ONLY//,/ }; do [[ $1 == "$g"* ]] && return 0; done
  return 1
}
run() { # capture-name function [args...]
  local name=$1; shift
  want "$name" || return 0
  RAN+=("$name")
  "$@"
}
RAN=()
FINDINGS_RAN=0

START=$(date +%s)
setup_net || exit 1
gen_certs || { echo "make-pcaps: certificate generation failed" >&2; exit 1; }
build_helpers || exit 1
FINDINGS_CAPTURES=(findings-protocol findings-gnutls findings-certs findings-mtls findings-rotation)
need_findings_certs=0
for name in "${FINDINGS_CAPTURES[@]}"; do want "$name" && need_findings_certs=1; done
if [ "$need_findings_certs" = 1 ]; then
  gen_findings_certs || { echo "make-pcaps: findings certificate generation failed" >&2; exit 1; }
fi

run openssl-tls10 sc_openssl_tls10
run openssl-tls11 sc_openssl_tls11
run openssl-tls12-ecdhe sc_openssl_tls12_ecdhe
run openssl-tls12-rsa-kx sc_openssl_tls12_rsa_kx
run openssl-tls13 sc_openssl_tls13
run openssl-tls13-hrr sc_openssl_hrr
run openssl-tls12-resume-sessionid sc_openssl_resume_sessionid
run openssl-tls12-resume-ticket sc_openssl_resume_ticket
run openssl-tls13-resume-psk sc_openssl_resume_psk
run openssl-ipv6 sc_openssl_ipv6
run openssl-tls12-tiny-mss sc_openssl_tiny_mss
run openssl-tls12-mtls sc_openssl_mtls 1.2
run openssl-tls13-mtls sc_openssl_mtls 1.3
run gnutls-tls13 sc_gnutls 1.3
run gnutls-tls12 sc_gnutls 1.2
run node-tls13 sc_node 1.3
run node-tls12 sc_node 1.2
run go-tls13 sc_go 1.3
run go-tls12 sc_go 1.2
run java-tls13 sc_java 1.3
run java-tls12 sc_java 1.2
run java-go-tls13 sc_java_go
run openssl-tls12-handshake-failure sc_openssl_failure
run openssl-nonstandard-ports sc_openssl_ports
run findings-protocol sc_findings_protocol
run findings-gnutls sc_findings_gnutls
run findings-certs sc_findings_certs
run findings-mtls sc_findings_mtls
run findings-rotation sc_findings_rotation
[ ${#RAN[@]} -gt 0 ] || die "ONLY=$ONLY matches no capture"
for name in "${RAN[@]}"; do [[ $name == findings-* ]] && FINDINGS_RAN=1; done

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
if [ -n "${ONLY:-}" ]; then
  # partial run: replace the entries of the captures made now, keep the others
  node -e '
    const fs = require("fs");
    const [old, neu, out] = process.argv.slice(1);
    const a = fs.existsSync(old) ? JSON.parse(fs.readFileSync(old, "utf8")) : {};
    const b = JSON.parse(fs.readFileSync(neu, "utf8"));
    const m = {};
    for (const k of Object.keys(a)) m[k] = k in b ? b[k] : a[k];
    for (const k of Object.keys(b)) if (!(k in m)) m[k] = b[k];
    fs.writeFileSync(out, JSON.stringify(m, null, 2) + "\n");
  ' "$OUT_DIR/expected.json" "$WORK/expected.json" "$WORK/expected.merged.json" &&
    mv -f "$WORK/expected.merged.json" "$WORK/expected.json" || { echo "make-pcaps: could not merge expected.json" >&2; exit 1; }
  echo "make-pcaps: ONLY=$ONLY: partial run merged into pcaps/ (commit only the result of a full run)" >&2
  if [ "$FINDINGS_RAN" = 1 ]; then
    for name in "${FINDINGS_CAPTURES[@]}"; do
      want "$name" || echo "make-pcaps: $name.pcap is from an earlier run: its chains do not validate under the new findings-ca.pem (use ONLY=findings)" >&2
    done
  fi
fi
cp "$WORK/expected.json" "$OUT_DIR/expected.json.tmp" && mv -f "$OUT_DIR/expected.json.tmp" "$OUT_DIR/expected.json"
if [ "$FINDINGS_RAN" = 1 ]; then
  # the trust anchor of the findings captures: its certificate only, never its key
  openssl x509 -in "$FX/root.pem" -out "$OUT_DIR/findings-ca.pem.tmp" && mv -f "$OUT_DIR/findings-ca.pem.tmp" "$OUT_DIR/findings-ca.pem"
  echo "wrote pcaps/findings-ca.pem ($(openssl x509 -in "$OUT_DIR/findings-ca.pem" -noout -subject))"
  cat >"$OUT_DIR/findings-policy.yaml.tmp" <<YAML
# Policy for the findings captures (test/corpus/findings-pcaps.test.ts), written by
# scripts/make-pcaps.sh. In findings-mtls.pcap the service on $S4 port $MTLS_PORT must
# authenticate its clients: a connection to it without a client certificate raises
# mtls_missing (reason: policy). Port $OTHER_PORT on the same host is not covered.
require_mtls:
  - name: findings-mtls-service
    cidrs: [$S4/32]
    ports: [$MTLS_PORT]
YAML
  mv -f "$OUT_DIR/findings-policy.yaml.tmp" "$OUT_DIR/findings-policy.yaml"
  echo "wrote pcaps/findings-policy.yaml"
fi
# Refresh the generated table in pcaps/README.md (between its marker lines), if present.
if [ -f "$OUT_DIR/README.md" ] && grep -q '^<!-- table:begin' "$OUT_DIR/README.md"; then
  TOOLS="$(openssl version | cut -d' ' -f1-2), GnuTLS $(gnutls-cli --version 2>/dev/null | head -1 | awk '{print $2}'), Node $(node --version), $(go version | awk '{print $3}'), Java $(java -version 2>&1 | head -1 | awk -F'"' '{print $2}'), $(tshark --version 2>/dev/null | head -1 | cut -d' ' -f1-3)"
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
