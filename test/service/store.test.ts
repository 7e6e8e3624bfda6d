import { performance } from 'node:perf_hooks';
import { DEMO_CATALOGUE, MemoryPriceStore, WALKTHROUGH_PRICE } from '../../src/service/store';

describe('MemoryPriceStore', () => {
  test('starts with the demo catalogue, in which id 7 is 23.10', async () => {
    const prices = await new MemoryPriceStore().list();
    expect(prices).toEqual(DEMO_CATALOGUE);
    expect(prices).toContainEqual({ id: '7', value: '23.10' });
    expect(WALKTHROUGH_PRICE).toEqual({ id: '7', value: '23.10' });
  });

  test('starts with the prices it is given', async () => {
    const store = new MemoryPriceStore({ prices: [{ id: '1', value: '2.00' }] });
    expect(await store.list()).toEqual([{ id: '1', value: '2.00' }]);
  });

  test('replaces the value of an id it saves again', async () => {
    const store = new MemoryPriceStore({ prices: [{ id: '1', value: '2.00' }] });
    await store.save({ id: '1', value: '3.00' });
    await store.save({ id: '2', value: '4.00' });
    expect(await store.list()).toEqual([
      { id: '1', value: '3.00' },
      { id: '2', value: '4.00' },
    ]);
  });

  test('takes at least the write delay to save, and stores only then', async () => {
    const store = new MemoryPriceStore({ writeDelayMs: 150, prices: [] });
    const start = performance.now();
    const saved = store.save({ id: '1', value: '1.00' });
    expect(await store.list()).toEqual([]);
    await saved;
    expect(performance.now() - start).toBeGreaterThanOrEqual(150);
    expect(await store.list()).toEqual([{ id: '1', value: '1.00' }]);
  });

  test('runs writes side by side, so their delays overlap', async () => {
    const store = new MemoryPriceStore({ writeDelayMs: 200, prices: [] });
    const start = performance.now();
    await Promise.all([1, 2, 3, 4, 5].map((n) => store.save({ id: `${n}`, value: '1.00' })));
    expect(performance.now() - start).toBeLessThan(800);
    expect(await store.list()).toHaveLength(5);
  });
});
