# syntax=docker/dockerfile:1

# Build: native modules (better-sqlite3, re2) compile here, then dev dependencies are dropped.
FROM node:20-bookworm-slim AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY projections ./projections
COPY bench ./bench
# The operator console: typed from the committed schema, built by Vite into web/dist.
COPY schema ./schema
COPY web ./web
RUN npm run build && npm prune --omit=dev

# Runtime: no compiler, no dev dependencies, not root.
FROM node:20-bookworm-slim
# HOST: the service listens on 127.0.0.1 by default, unreachable from outside a container.
# SQLITE_PATH is only used without EVENTSTORE_CONNECTION_STRING (the embedded store).
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=4000 \
    SQLITE_PATH=/app/data/events.sqlite
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/web/dist ./web/dist
RUN mkdir -p /app/data && chown node:node /app/data
VOLUME /app/data
USER node
EXPOSE 4000
# The slim image has no curl: Node's own fetch does the probe.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://localhost:4000/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/src/main.js"]
