import { DURATION_RULE, parseDuration, parseQuantity, QUANTITY_RULE } from '../config/units';
import { ENV } from './contract';

/** The pino log levels `LOG_LEVEL` accepts, quietest last. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export type LogLevel = (typeof LOG_LEVELS)[number];

/** The price service's settings, read from the environment once at start. */
export interface ServiceConfig {
  /**
   * TCP port to listen on; 0 picks a free port.
   * @default 8080
   */
  readonly port: number;

  /**
   * Simulated database latency of one write, in milliseconds.
   * @default 0
   */
  readonly databaseDelayMs: number;

  /**
   * Working memory each in-flight write holds until it ends, in bytes.
   * @default 1048576 (1Mi)
   */
  readonly writeWorkingMemoryBytes: number;

  /**
   * Largest accepted request body, in bytes.
   * @default 16384 (16Ki)
   */
  readonly bodyLimitBytes: number;

  /**
   * How long writes accepted before SIGTERM may take to finish, in milliseconds.
   * @default 25000 (25s)
   */
  readonly shutdownGraceMs: number;

  /**
   * pino log level; request lines are logged at `debug`.
   * @default 'info'
   */
  readonly logLevel: LogLevel;
}

/**
 * The value each variable takes when it is not set, in the variable's own notation.
 * SHUTDOWN_GRACE stays below the 30s Kubernetes gives a pod between SIGTERM and SIGKILL.
 */
export const ENV_DEFAULTS: Readonly<Record<(typeof ENV)[keyof typeof ENV], string>> = {
  [ENV.port]: '8080',
  [ENV.databaseDelay]: '0s',
  [ENV.writeWorkingMemory]: '1Mi',
  [ENV.bodyLimit]: '16Ki',
  [ENV.shutdownGrace]: '25s',
  [ENV.logLevel]: 'info',
};

/** A setting that breaks its rule; the message names the variable, the value and the rule. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/**
 * Reads and validates every setting from `env`. An unset variable takes its default from
 * `ENV_DEFAULTS`; an empty one is a mistake and is rejected like any other bad value.
 * @throws ConfigError listing every bad variable on one line
 */
export function loadServiceConfig(env: NodeJS.ProcessEnv): ServiceConfig {
  const problems: string[] = [];
  const read = <T>(variable: keyof typeof ENV_DEFAULTS, parse: (text: string) => T): T => {
    const text = env[variable] ?? ENV_DEFAULTS[variable];
    try {
      return parse(text);
    } catch (err) {
      if (!(err instanceof BrokenRule)) throw err;
      problems.push(`'${variable}' ${err.rule} (got '${text}')`);
      return undefined as T;
    }
  };

  const config: ServiceConfig = {
    port: read(ENV.port, parsePort),
    databaseDelayMs: read(ENV.databaseDelay, parseBoundedDuration),
    writeWorkingMemoryBytes: read(ENV.writeWorkingMemory, bytesWithin(0, MAX_WORKING_MEMORY)),
    bodyLimitBytes: read(ENV.bodyLimit, bytesWithin(1, MAX_BODY_LIMIT)),
    shutdownGraceMs: read(ENV.shutdownGrace, parseBoundedDuration),
    logLevel: read(ENV.logLevel, parseLogLevel),
  };
  if (problems.length > 0) throw new ConfigError(problems.join('; '));
  return config;
}

/** Thrown by a parser with the rule the text broke. */
class BrokenRule extends Error {
  constructor(readonly rule: string) {
    super(rule);
  }
}

const MAX_PORT = 65_535;

function parsePort(text: string): number {
  const port = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
  if (!(port <= MAX_PORT)) {
    throw new BrokenRule(`must be a whole number from 0 to ${MAX_PORT} (0 picks a free port)`);
  }
  return port;
}

/** Node's timers overflow past 2^31 - 1 ms (24.8 days); a day is far more than any use here. */
const MAX_DURATION = { text: '24h', ms: 24 * 3_600_000 };

function parseBoundedDuration(text: string): number {
  const ms = parseDuration(text);
  if (ms === undefined) throw new BrokenRule(DURATION_RULE);
  if (ms > MAX_DURATION.ms) throw new BrokenRule(`must be at most '${MAX_DURATION.text}'`);
  return ms;
}

const MAX_WORKING_MEMORY = { text: '1Gi', bytes: 2 ** 30 };
const MAX_BODY_LIMIT = { text: '1Mi', bytes: 2 ** 20 };

function bytesWithin(min: number, max: { text: string; bytes: number }) {
  return (text: string): number => {
    const bytes = parseQuantity(text);
    if (bytes === undefined) throw new BrokenRule(QUANTITY_RULE);
    if (!Number.isInteger(bytes)) throw new BrokenRule('must be a whole number of bytes');
    if (bytes < min) throw new BrokenRule(`must be at least ${min} bytes`);
    if (bytes > max.bytes) throw new BrokenRule(`must be at most '${max.text}'`);
    return bytes;
  };
}

function parseLogLevel(text: string): LogLevel {
  const level = LOG_LEVELS.find((candidate) => candidate === text);
  if (!level) {
    const choices = `${LOG_LEVELS.slice(0, -1).join(', ')} or ${LOG_LEVELS.at(-1)}`;
    throw new BrokenRule(`must be one of ${choices}`);
  }
  return level;
}
