#!/usr/bin/env bash
# System packages the tests and scripts use (Debian): tshark as an independent oracle,
# tcpdump for the benchmark's native baseline and for making captures, libpcap for live
# capture, OpenSSL/GnuTLS clients and servers for captures of real stacks.
set -euo pipefail
need=()
# java/mvn: the Kafka broker of scripts/kafka.sh (Java 17, resolved from Maven Central).
for pair in tshark:tshark tcpdump:tcpdump ethtool:ethtool gnutls-cli:gnutls-bin openssl:openssl ip:iproute2 java:openjdk-17-jre-headless mvn:maven flock:util-linux; do
  cmd=${pair%%:*}
  pkg=${pair#*:}
  command -v "$cmd" >/dev/null 2>&1 || need+=("$pkg")
done
[ -e /usr/include/pcap/pcap.h ] || need+=(libpcap-dev)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: missing ${need[*]}; run as root or install them with apt-get" >&2
    exit 1
  fi
  echo "install-deps: installing ${need[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
