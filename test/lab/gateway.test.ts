import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  findHaproxy,
  freePort,
  GatewayError,
  HAPROXY_INSTALL_COMMAND,
  LocalGateway,
} from '../../src/lab/gateway';

function folder(): string {
  return mkdtempSync(join(tmpdir(), 'gateway-'));
}

describe('findHaproxy', () => {
  test('finds the first executable haproxy on PATH', () => {
    const bin = folder();
    writeFileSync(join(bin, 'haproxy'), '#!/bin/sh\n');
    chmodSync(join(bin, 'haproxy'), 0o755);
    expect(findHaproxy(`${folder()}:${bin}`)).toBe(join(bin, 'haproxy'));
  });

  test('skips a haproxy that is not executable', () => {
    const bin = folder();
    writeFileSync(join(bin, 'haproxy'), '#!/bin/sh\n');
    expect(() => findHaproxy(bin, [])).toThrow(GatewayError);
  });

  test('names the install command when haproxy is nowhere', () => {
    const sbin = [folder()];
    expect(() => findHaproxy(folder(), sbin)).toThrow(
      new GatewayError(
        `HAProxy is not installed: no 'haproxy' on PATH or in ${sbin[0]}; ` +
          `the lab needs it as its local gateway. Install it with: ${HAPROXY_INSTALL_COMMAND}`,
      ),
    );
  });
});

describe('freePort', () => {
  test('returns a port nothing listens on', async () => {
    const port = await freePort();
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    server.close();
    expect(port).toBeGreaterThan(0);
  });
});

describe('LocalGateway', () => {
  test('reports HAProxy’s own words when it rejects the configuration', async () => {
    const configFile = join(folder(), 'haproxy.cfg');
    const started = LocalGateway.start({
      config: 'frontend gateway\n  bind 127.0.0.1:1\n  no-such-keyword\n',
      listen: { host: '127.0.0.1', port: 1 },
      configFile,
    });
    await expect(started).rejects.toThrow(
      `/usr/sbin/haproxy rejected the configuration ${configFile}: config : parsing ` +
        `[${configFile}:3] : unknown keyword 'no-such-keyword' in 'frontend' section; ` +
        `config : Error(s) found in configuration file : ${configFile}; ` +
        'config : Fatal errors found in configuration.',
    );
  });

  test('starts, listens, and stops', async () => {
    const port = await freePort();
    const gateway = await LocalGateway.start({
      config:
        'defaults\n  mode http\n  timeout client 1s\n  timeout connect 1s\n  timeout server 1s\n' +
        `frontend gateway\n  bind 127.0.0.1:${port}\n` +
        '  http-request return status 200 content-type text/plain string "up"\n',
      listen: { host: '127.0.0.1', port },
      configFile: join(folder(), 'haproxy.cfg'),
    });
    const response = await fetch(`http://127.0.0.1:${port}/`);
    expect(await response.text()).toBe('up');
    await gateway.stop();
    await expect(fetch(`http://127.0.0.1:${port}/`)).rejects.toThrow('fetch failed');
  });
});
