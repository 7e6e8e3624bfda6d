import { execFileSync } from 'node:child_process';
import { findHaproxy, GatewayError, HAPROXY_INSTALL_COMMAND } from '../../src/lab/gateway';

/**
 * Makes sure HAProxy is installed for the lab's tests: the lab itself installs nothing, so
 * the tests do, as root with Debian's apt-get (`apt-get update` first, once). Anywhere else
 * the tests stop with the lab's own message and the command to run.
 */
export function ensureHaproxy(): string {
  try {
    return findHaproxy();
  } catch (err) {
    if (!(err instanceof GatewayError)) throw err;
    if (process.getuid?.() !== 0 || !hasAptGet()) {
      throw new Error(`${err.message} (the tests install it only as root with apt-get)`);
    }
  }
  process.stdout.write(`installing HAProxy for the lab's tests: ${HAPROXY_INSTALL_COMMAND}\n`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { env, stdio: 'inherit' });
  execFileSync('apt-get', ['install', '-y', '-qq', 'haproxy'], { env, stdio: 'inherit' });
  return findHaproxy();
}

function hasAptGet(): boolean {
  try {
    execFileSync('apt-get', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
