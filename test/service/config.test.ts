import { ConfigError, ENV_DEFAULTS, loadServiceConfig } from '../../src/service/config';

/** The message loadServiceConfig throws for `env`, or undefined when it accepts it. */
function problemWith(env: Record<string, string>): string | undefined {
  try {
    loadServiceConfig(env);
    return undefined;
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
}

describe('loadServiceConfig', () => {
  test('takes every default when nothing is set', () => {
    expect(loadServiceConfig({})).toEqual({
      port: 8080,
      databaseDelayMs: 0,
      writeWorkingMemoryBytes: 1024 * 1024,
      bodyLimitBytes: 16 * 1024,
      shutdownGraceMs: 25_000,
      logLevel: 'info',
    });
  });

  test('documents a default for every variable it reads', () => {
    expect(Object.keys(ENV_DEFAULTS).sort()).toEqual([
      'BODY_LIMIT',
      'DATABASE_DELAY',
      'LOG_LEVEL',
      'PORT',
      'SHUTDOWN_GRACE',
      'WRITE_WORKING_MEMORY',
    ]);
  });

  test('reads every variable in its own notation', () => {
    const config = loadServiceConfig({
      PORT: '0',
      DATABASE_DELAY: '1m30s',
      WRITE_WORKING_MEMORY: '2Mi',
      BODY_LIMIT: '1k',
      SHUTDOWN_GRACE: '250ms',
      LOG_LEVEL: 'debug',
    });
    expect(config).toEqual({
      port: 0,
      databaseDelayMs: 90_000,
      writeWorkingMemoryBytes: 2 * 1024 * 1024,
      bodyLimitBytes: 1000,
      shutdownGraceMs: 250,
      logLevel: 'debug',
    });
  });

  test('accepts 0 working memory, which turns it off', () => {
    expect(loadServiceConfig({ WRITE_WORKING_MEMORY: '0' }).writeWorkingMemoryBytes).toBe(0);
  });

  test('ignores variables it does not read', () => {
    expect(problemWith({ HOME: '/root', NODE_OPTIONS: '--max-old-space-size=64' })).toBeUndefined();
  });

  test.each([
    [
      { PORT: 'http' },
      "'PORT' must be a whole number from 0 to 65535 (0 picks a free port) (got 'http')",
    ],
    [
      { PORT: '65536' },
      "'PORT' must be a whole number from 0 to 65535 (0 picks a free port) (got '65536')",
    ],
    [
      { PORT: '80.5' },
      "'PORT' must be a whole number from 0 to 65535 (0 picks a free port) (got '80.5')",
    ],
    [{ PORT: '' }, "'PORT' must be a whole number from 0 to 65535 (0 picks a free port) (got '')"],
    [
      { DATABASE_DELAY: '5 seconds' },
      "'DATABASE_DELAY' must be a duration such as '250ms', '5s' or '1m30s' (got '5 seconds')",
    ],
    [
      { DATABASE_DELAY: '5' },
      "'DATABASE_DELAY' must be a duration such as '250ms', '5s' or '1m30s' (got '5')",
    ],
    [{ DATABASE_DELAY: '25h' }, "'DATABASE_DELAY' must be at most '24h' (got '25h')"],
    [
      { SHUTDOWN_GRACE: '-1s' },
      "'SHUTDOWN_GRACE' must be a duration such as '250ms', '5s' or '1m30s' (got '-1s')",
    ],
    [
      { WRITE_WORKING_MEMORY: '1MB' },
      "'WRITE_WORKING_MEMORY' must be a Kubernetes quantity such as '128Mi', '1Gi' or '500m' (got '1MB')",
    ],
    [
      { WRITE_WORKING_MEMORY: '500m' },
      "'WRITE_WORKING_MEMORY' must be a whole number of bytes (got '500m')",
    ],
    [{ WRITE_WORKING_MEMORY: '2Gi' }, "'WRITE_WORKING_MEMORY' must be at most '1Gi' (got '2Gi')"],
    [{ BODY_LIMIT: '0' }, "'BODY_LIMIT' must be at least 1 bytes (got '0')"],
    [{ BODY_LIMIT: '2Mi' }, "'BODY_LIMIT' must be at most '1Mi' (got '2Mi')"],
    [
      { LOG_LEVEL: 'verbose' },
      "'LOG_LEVEL' must be one of fatal, error, warn, info, debug, trace or silent (got 'verbose')",
    ],
  ])('rejects %j with one line naming the variable, the value and the rule', (env, message) => {
    expect(problemWith(env)).toBe(message);
  });

  test('names every bad variable on the same line', () => {
    expect(problemWith({ PORT: 'x', LOG_LEVEL: 'loud' })).toBe(
      "'PORT' must be a whole number from 0 to 65535 (0 picks a free port) (got 'x'); " +
        "'LOG_LEVEL' must be one of fatal, error, warn, info, debug, trace or silent (got 'loud')",
    );
  });
});
