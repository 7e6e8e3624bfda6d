import { parentPort, workerData } from 'node:worker_threads';
import { attack, AttackOptions } from './load';
import { RequestRecord } from './records';

/**
 * A worker thread that sends some attacks with an event loop of its own, so that the time
 * it takes to handle one stream's answers never shows up as latency in another's (two
 * Vegeta processes, not one). Protocol: the worker sends its warm-up first, then posts
 * `ready`; the parent answers `{ originMs }` (the run's start on the `performance.timeOrigin`
 * scale), and the worker posts every record once all its attacks have ended.
 */

/** What the parent hands the worker. */
export interface AttackWorkerData {
  /** The attacks, with `startMs` on the run's clock; run side by side. */
  readonly attacks: readonly Omit<AttackOptions, 'clock'>[];

  /** An unrecorded attack sent before `ready`, on the worker's own clock. */
  readonly warmUp?: Omit<AttackOptions, 'clock' | 'startMs'>;
}

/** Messages the worker posts. */
export type AttackWorkerMessage =
  | { readonly kind: 'ready' }
  | { readonly kind: 'done'; readonly records: RequestRecord[] }
  | { readonly kind: 'failed'; readonly message: string };

async function serve(port: NonNullable<typeof parentPort>, data: AttackWorkerData) {
  if (data.warmUp) {
    const now = () => performance.now();
    await attack({ ...data.warmUp, startMs: now(), clock: now });
  }
  port.once('message', ({ originMs }: { originMs: number }) => {
    const clock = () => performance.timeOrigin + performance.now() - originMs;
    Promise.all(data.attacks.map((options) => attack({ ...options, clock })))
      .then((batches) => port.postMessage({ kind: 'done', records: batches.flat() }))
      .catch((err: Error) => port.postMessage({ kind: 'failed', message: err.message }));
  });
  port.postMessage({ kind: 'ready' });
}

if (parentPort) {
  serve(parentPort, workerData as AttackWorkerData).catch((err: Error) =>
    parentPort!.postMessage({ kind: 'failed', message: err.message }),
  );
}
