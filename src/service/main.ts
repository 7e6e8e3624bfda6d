import pino, { Logger } from 'pino';
import { ConfigError, loadServiceConfig, LogLevel, ServiceConfig } from './config';
import { PriceServer } from './server';

/**
 * The launcher, and the image's entry point: reads the settings, starts the server, and turns
 * signals into a bounded shutdown.
 *
 * - A bad setting prints one line naming the variable, the value and the rule; exit 1.
 * - SIGTERM or SIGINT drains (see `PriceServer.shutdown`) for up to `SHUTDOWN_GRACE`, then
 *   exits 0, or 1 when writes were still in flight as the grace period ran out.
 * - A second signal exits 1 at once.
 */
export async function main(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const config = readConfig(env);
  if (!config) return;
  const logger = createLogger(config.logLevel);
  process.on('uncaughtException', (err) => {
    logger.fatal({ err }, 'uncaught exception');
    process.exit(1);
  });

  let server: PriceServer;
  try {
    server = await PriceServer.start({ config, logger });
  } catch (err) {
    logger.fatal({ err, port: config.port }, 'price service could not start');
    return process.exit(1);
  }
  logger.info({ port: server.port, settings: config }, 'price service listening');
  drainOnSignals(server, config.shutdownGraceMs, logger);
}

/** The settings, or undefined after printing the one-line reason they are bad. */
function readConfig(env: NodeJS.ProcessEnv): ServiceConfig | undefined {
  try {
    return loadServiceConfig(env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`${err.message}\n`);
    process.exitCode = 1;
    return undefined;
  }
}

/** JSON lines on stdout, written synchronously so nothing is lost on `process.exit`. */
function createLogger(level: LogLevel): Logger {
  return pino(
    {
      name: 'price-service',
      level,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    pino.destination({ dest: 1, sync: true }),
  );
}

function drainOnSignals(server: PriceServer, graceMs: number, logger: Logger): void {
  let draining = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    const writesInFlight = server.app.writes.count;
    if (draining) {
      logger.warn({ signal, writesInFlight }, 'second signal, exiting at once');
      return process.exit(1);
    }
    draining = true;
    logger.info({ signal, writesInFlight, graceMs }, 'draining');
    void server.shutdown(graceMs).then(({ abandonedWrites }) => {
      if (abandonedWrites > 0) {
        logger.error({ abandonedWrites, graceMs }, 'grace period over, writes abandoned');
        return process.exit(1);
      }
      logger.info({ signal }, 'drained, exiting');
      process.exit(0);
    });
  };
  process.on('SIGTERM', onSignal).on('SIGINT', onSignal);
}

if (require.main === module) void main();
