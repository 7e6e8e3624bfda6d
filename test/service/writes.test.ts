import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { InFlightWrites } from '../../src/service/writes';
import { MiB, rssOf } from './support';

/** A full garbage collection, reached without starting node with --expose-gc. */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

const PRICE = { id: '7', value: '24.15' };

describe('InFlightWrites', () => {
  test('counts the writes between begin and end', () => {
    const writes = new InFlightWrites(MiB);
    const first = writes.begin();
    const second = writes.begin();
    expect(writes.count).toBe(2);
    first.end();
    expect(writes.count).toBe(1);
    second.end();
    expect(writes.count).toBe(0);
  });

  test('holds the configured working memory only from hold to end', () => {
    const writes = new InFlightWrites(3 * MiB);
    const write = writes.begin();
    expect(writes.heldBytes).toBe(0);
    write.hold(PRICE);
    expect(writes.heldBytes).toBe(3 * MiB);
    write.end();
    expect(writes.heldBytes).toBe(0);
  });

  test('holds nothing when the working memory is 0', () => {
    const writes = new InFlightWrites(0);
    writes.begin().hold(PRICE);
    expect(writes.count).toBe(1);
    expect(writes.heldBytes).toBe(0);
  });

  test('ignores a second end and a hold after the end', () => {
    const writes = new InFlightWrites(MiB);
    const write = writes.begin();
    writes.begin();
    write.end();
    write.end();
    write.hold(PRICE);
    expect(writes.count).toBe(1);
    expect(writes.heldBytes).toBe(0);
  });

  test('settles at once when no write is in flight', async () => {
    await expect(new InFlightWrites(MiB).settled()).resolves.toBeUndefined();
  });

  test('settles when the last write in flight ends, not before', async () => {
    const writes = new InFlightWrites(MiB);
    const first = writes.begin();
    const second = writes.begin();
    let settled = false;
    const waiting = writes.settled().then(() => (settled = true));
    first.end();
    await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toBe(false);
    second.end();
    await waiting;
    expect(settled).toBe(true);
  });

  test('keeps the working memory resident through a full garbage collection', () => {
    const writes = new InFlightWrites(4 * MiB);
    const held = Array.from({ length: 16 }, () => writes.begin());
    for (const write of held) write.hold(PRICE);
    collectGarbage();
    // Read back to back, with only the ends in between: the drop is what the GC left resident.
    const afterCollection = rssOf(process.pid);
    for (const write of held) write.end();
    expect(afterCollection - rssOf(process.pid)).toBeGreaterThan(56 * MiB);
  });

  test('returns the working memory to the system as the writes end, without a collection', () => {
    const writes = new InFlightWrites(4 * MiB);
    const held = Array.from({ length: 16 }, () => writes.begin());
    for (const write of held) write.hold(PRICE);
    const holding = rssOf(process.pid);
    for (const write of held) write.end();
    expect(holding - rssOf(process.pid)).toBeGreaterThan(56 * MiB);
  });
});
