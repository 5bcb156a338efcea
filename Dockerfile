# One image for every process:
#   API (default):  node dist/src/main.bundle.js   (the API bundled into one file: src/build/bundle-api.ts)
#   worker:         node dist/src/worker.js
#   migrations:     node dist/src/cli.js migration:run   (db:create first on an empty server)
# Build: docker build -t commerce-backend .

ARG NODE_IMAGE=node:20-bookworm-slim

# --- deps: every dependency, dev included, for the build ---------------------------------------
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

# --- build: TypeScript -> dist/ (src, libs and migrations) ---------------------------------------
FROM deps AS build
COPY tsconfig.json tsconfig.build.json ./
COPY libs ./libs
COPY migrations ./migrations
COPY src ./src
RUN npm run build

# --- runtime: production dependencies and dist/ only ---------------------------------------------
# pino-pretty is a devDependency and is not installed here: logs are JSON (LOG_PRETTY stays unset).
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production PORT=8280
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist

USER node
EXPOSE 8280

# Liveness only (touches no dependency); readiness is GET /health/ready.
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8280) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

# API flags (same as `npm run start:api`): a 512 MB heap limit (bench/RESULTS.md), and young-generation
# semi-spaces fixed at 16 MB. Under checkout load a request's objects live longer than the time
# between two scavenges of an 8 MB semi-space, so they were promoted and the old generation filled
# up every 2-3 s; each mark-compact then stalled every checkout in flight. At 16 MB: ~30 % fewer
# mark-compacts, p99 at 20 buyers ~15 % lower, for ~16 MB more idle RSS (138 MB; issue 9: < 150 MB).
# --heap-growing-percent=150: after a mark-compact the old generation may grow to 2.5x what
# survived. V8 chose ~1.6x here (40 MB live, the next mark-compact at 65-70 MB): one every ~2.7 s
# at 20 buyers, each stalling every checkout in flight. Checkout p99 at 20 buyers 67-74 ms in
# alternating runs (200: 63-96 ms; default: 107-118 ms); RSS under the read load at most 232 MB
# (200: 262 MB, over issue 9's 250). Idle RSS is unchanged: the heap grows only when it is used.
# MALLOC_MMAP_THRESHOLD_ (API only, as `npm run start:api`): glibc otherwise raises its mmap
# threshold after the first large free and keeps later large blocks (V8's parser and compiler
# zones at startup) in the brk heap, resident after they are freed: ~20 MB of idle RSS, and ~30 MB
# less under the read load, with the same throughput. Not for the worker: its large import and
# queue buffers would then be mapped and unmapped each time (CSV import 2,298 → 1,699 rows/s).
# `env` execs node, which stays PID 1 and gets the stop signal.
CMD ["env", "MALLOC_MMAP_THRESHOLD_=131072", "node", "--max-old-space-size=512", "--min-semi-space-size=16", "--max-semi-space-size=16", "--heap-growing-percent=150", "dist/src/main.bundle.js"]
