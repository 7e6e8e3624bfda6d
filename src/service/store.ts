import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

/** One price: a catalogue id and its value, a decimal kept exactly as written (`'23.10'`). */
export interface Price {
  readonly id: string;
  readonly value: string;
}

/**
 * Where prices persist. The service lists every price once at start to fill its cache, then
 * writes one price per `POST /price`; reads never reach the store.
 */
export interface PriceStore {
  /** Every stored price, in no particular order. */
  list(): Promise<readonly Price[]>;

  /** Persists `price`, replacing any earlier value of its id; resolves once it is stored. */
  save(price: Price): Promise<void>;
}

/** The price the walkthrough reads (`GET /price/7`); a `POST /price` without a body writes it. */
export const WALKTHROUGH_PRICE: Price = { id: '7', value: '23.10' };

/** The demo catalogue a fresh store holds. */
export const DEMO_CATALOGUE: readonly Price[] = [
  { id: '1', value: '4.99' },
  { id: '2', value: '12.50' },
  { id: '3', value: '7.25' },
  { id: '4', value: '99.00' },
  { id: '5', value: '0.80' },
  { id: '6', value: '15.75' },
  WALKTHROUGH_PRICE,
  { id: '8', value: '42.00' },
];

export interface MemoryPriceStoreProps {
  /**
   * Simulated database latency of each write, in milliseconds.
   * @default 0
   */
  readonly writeDelayMs?: number;

  /**
   * The prices the store starts with.
   * @default DEMO_CATALOGUE
   */
  readonly prices?: readonly Price[];
}

/**
 * The built-in store: prices in process memory, lost on restart, with a simulated latency on
 * every write so that writes pile up under load the way they do against a slow database.
 */
export class MemoryPriceStore implements PriceStore {
  private readonly writeDelayMs: number;
  private readonly prices: Map<string, string>;

  constructor(props: MemoryPriceStoreProps = {}) {
    this.writeDelayMs = props.writeDelayMs ?? 0;
    this.prices = new Map((props.prices ?? DEMO_CATALOGUE).map((p) => [p.id, p.value]));
  }

  async list(): Promise<readonly Price[]> {
    return [...this.prices].map(([id, value]) => ({ id, value }));
  }

  async save(price: Price): Promise<void> {
    await this.waitForDatabase();
    this.prices.set(price.id, price.value);
  }

  /** Waits at least `writeDelayMs`: a timer may fire a fraction of a millisecond early. */
  private async waitForDatabase(): Promise<void> {
    const end = performance.now() + this.writeDelayMs;
    for (let left = this.writeDelayMs; left > 0; left = end - performance.now()) {
      await sleep(Math.ceil(left));
    }
  }
}
