# syntax=docker/dockerfile:1
# Build stage: compilers and libpcap headers, for the TypeScript build and native addons.
FROM node:20-bookworm AS build
WORKDIR /app
# Native addons (node_pcap) build against this image's own Node headers: nothing downloaded.
ENV npm_config_nodedir=/usr/local
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpcap-dev python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json tsconfig.json ./
COPY src ./src
COPY parsers ./parsers
RUN npm ci --no-audit --no-fund && npm prune --omit=dev

# Runtime stage: slim Node 20 with only the libpcap runtime, as a non-root user.
FROM node:20-bookworm-slim
# Capturing needs CAP_NET_RAW; a non-root user only gets it from file capabilities on the
# binary it runs (Docker's --cap-add alone puts it in the bounding set, not in the process).
# cap_net_raw is all libpcap needs, promiscuous mode included, and Docker grants it by
# default. Building with --build-arg TLSSCOPE_FILE_CAPS=cap_net_raw,cap_net_admin+ep adds
# CAP_NET_ADMIN, and then every run needs --cap-add NET_ADMIN: the kernel refuses to start a
# binary whose file capabilities are not all in the bounding set (docs/configuration.md).
# libcap2-bin (setcap) is removed again. test/docker/runtime-stage.test.ts replays these steps.
ARG TLSSCOPE_FILE_CAPS=cap_net_raw+ep
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpcap0.8 libcap2-bin \
 && setcap "${TLSSCOPE_FILE_CAPS}" /usr/local/bin/node \
 && getcap /usr/local/bin/node \
 && apt-get purge -y --auto-remove libcap2-bin \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 tlsscope \
 && useradd --system --uid 10001 --gid 10001 --home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin tlsscope \
 && install -d -o 10001 -g 10001 -m 0750 /var/lib/tlsscope /var/lib/tlsscope/spool
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY schemas ./schemas
COPY docs ./docs
# The metrics endpoint (/metrics, /healthz, /readyz); the health check asks /healthz there.
ENV TLSSCOPE_METRICS_LISTEN=0.0.0.0:9100
EXPOSE 9100
USER 10001:10001
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "/app/dist/src/metrics/healthcheck.js"]
ENTRYPOINT ["node", "--max-semi-space-size=32", "/app/dist/src/cli/main.js"]
CMD ["--help"]
