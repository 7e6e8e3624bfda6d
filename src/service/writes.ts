import { Price } from './store';

/** One write, from the moment the service accepts it until its response is sent. */
export interface Write {
  /**
   * Takes the transaction's working memory for `price`: a buffer of the ledger's size, filled
   * with the record so every page is really in use (counted in RSS), kept until `end()`.
   */
  hold(price: Price): void;

  /** Ends the write and releases its working memory; later calls do nothing. */
  end(): void;
}

/**
 * The writes in flight. It holds each write's working memory, so that piled-up writes cost
 * memory the way transactions against a slow database do, and it tells shutdown when the
 * last write accepted before the signal has ended.
 */
export class InFlightWrites {
  private readonly open = new Set<OpenWrite>();
  private settledWaiters: Array<() => void> = [];

  /** @param workingMemoryBytes bytes each write holds from `hold()` until `end()` */
  constructor(private readonly workingMemoryBytes: number) {}

  /** How many writes are in flight. */
  get count(): number {
    return this.open.size;
  }

  /** Working memory held by the writes in flight, in bytes. */
  get heldBytes(): number {
    let total = 0;
    for (const write of this.open) total += write.workingMemory?.byteLength ?? 0;
    return total;
  }

  /** Starts tracking a write; the caller must `end()` it however the request finishes. */
  begin(): Write {
    const write = new OpenWrite(this.workingMemoryBytes, (ended) => this.close(ended));
    this.open.add(write);
    return write;
  }

  /** Resolves once no write is in flight (at once if none is). */
  settled(): Promise<void> {
    if (this.open.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.settledWaiters.push(resolve));
  }

  private close(write: OpenWrite): void {
    if (!this.open.delete(write) || this.open.size > 0) return;
    const waiters = this.settledWaiters;
    this.settledWaiters = [];
    for (const resolve of waiters) resolve();
  }
}

class OpenWrite implements Write {
  /** Referenced from the ledger's set until `end()`, so no garbage collection can take it. */
  workingMemory: ResizableArrayBuffer | undefined;
  private ended = false;

  constructor(
    private readonly bytes: number,
    private readonly onEnd: (write: OpenWrite) => void,
  ) {}

  hold(price: Price): void {
    if (this.ended || this.bytes === 0) return;
    const memory = new ResizableArrayBuffer(this.bytes, { maxByteLength: this.bytes });
    // Writing every byte commits every page; untouched pages would not count in RSS.
    Buffer.from(memory).fill(`${price.id}=${price.value};`);
    this.workingMemory = memory;
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    // Shrinking returns the pages to the system now; dropping the reference alone would leave
    // them resident until a garbage collection, which V8 puts off while only buffers pile up.
    this.workingMemory?.resize(0);
    this.workingMemory = undefined;
    this.onEnd(this);
  }
}

/** An ArrayBuffer that can shrink in place (ES2024; shipped in Node 20, typed from ES2024 on). */
interface ResizableArrayBuffer extends ArrayBuffer {
  resize(byteLength: number): void;
}

const ResizableArrayBuffer = ArrayBuffer as unknown as new (
  byteLength: number,
  options: { maxByteLength: number },
) => ResizableArrayBuffer;
