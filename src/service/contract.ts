/**
 * The contract between the price service, its image and the manifests that run it.
 * The service, the Dockerfile and the cdk8s constructs all read these constants, and a
 * test checks that the Dockerfile and the rendered Deployments agree with them.
 */

/** The port the service listens on unless `PORT` says otherwise. */
export const SERVICE_PORT = 8080;

/** Prices: `GET /price/{id}` reads one, `POST /price` writes one. */
export const PRICE_PATH = '/price';

/** Liveness: answers 200 while the process is up, draining or not. */
export const HEALTH_PATH = '/health';

/** Readiness: answers 200 while accepting work, 503 while draining. */
export const READY_PATH = '/ready';

/** The numeric, non-root user the image runs as. */
export const RUN_AS_USER = 10001;

/** The numeric group of that user. */
export const RUN_AS_GROUP = 10001;

/** The environment variables the service reads, each validated at start. */
export const ENV = {
  /** TCP port to listen on. */
  port: 'PORT',
  /** Simulated database latency of a write, a Go-style duration (`5s`, `250ms`). */
  databaseDelay: 'DATABASE_DELAY',
  /** Working memory each in-flight write holds, a Kubernetes quantity (`1Mi`). */
  writeWorkingMemory: 'WRITE_WORKING_MEMORY',
  /** Largest accepted request body, a Kubernetes quantity (`16Ki`). */
  bodyLimit: 'BODY_LIMIT',
  /** How long in-flight writes may take to finish after SIGTERM, a Go-style duration. */
  shutdownGrace: 'SHUTDOWN_GRACE',
  /** pino log level: fatal, error, warn, info, debug, trace or silent. */
  logLevel: 'LOG_LEVEL',
} as const;
