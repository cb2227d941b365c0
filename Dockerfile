# syntax=docker/dockerfile:1
# Build stage: compilers and libpcap headers, for the TypeScript build and native addons.
FROM node:20-bookworm AS build
WORKDIR /app
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpcap-dev python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json tsconfig.json ./
COPY src ./src
COPY parsers ./parsers
RUN npm ci --no-audit --no-fund && npm prune --omit=dev

# Runtime stage: slim Node 20 with only the libpcap runtime, as a non-root user.
FROM node:20-bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpcap0.8 \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /nonexistent --shell /usr/sbin/nologin tlsscope
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY schemas ./schemas
COPY docs ./docs
USER tlsscope
ENTRYPOINT ["node", "/app/dist/src/cli/main.js"]
CMD ["--help"]
