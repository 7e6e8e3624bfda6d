# syntax=docker/dockerfile:1
# The price service image. Both compartments (price-read, price-write) run it.
#
#   docker buildx build --platform linux/amd64,linux/arm64 -t price-service .
#
# The builder bundles src/service into one JavaScript file (npm run bundle:service); the
# runtime stage carries that file alone on a pinned Node base image, runs it as a numeric
# non-root user, and writes nothing to disk, so it runs with a read-only root filesystem.
# test/service/dockerfile.test.ts runs the bundle from exactly the files copied here.

# The bundle is plain JavaScript: build it once, natively, on the build machine's platform.
FROM --platform=$BUILDPLATFORM node:20.20.2-bookworm-slim AS builder
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY .projen/ .projen/
COPY src/ src/
RUN npx projen bundle:service

# The runtime stage is per target platform (linux/amd64, linux/arm64) through its base image.
FROM node:20.20.2-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=builder /src/build/service/main.js /app/main.js
USER 10001:10001
EXPOSE 8080
# Exec form: node is PID 1 and receives SIGTERM itself, which starts the graceful drain.
# No HEALTHCHECK: Kubernetes ignores it and probes GET /health and GET /ready instead.
ENTRYPOINT ["node", "/app/main.js"]
