// Events: ordering points on streams and, with timing on, GPU-side timers.
import { describe, expectBool } from './args.js';
import { driver, resolveDevice } from './device.js';
import { kNative, trackForRelease, untrack } from './handles.js';
import type { EventHandle } from './native.js';
import { type Stream, streamOrDefault } from './stream.js';

const kCreate = Symbol('Event.create');

export class Event implements Disposable {
  readonly device: number;
  readonly timing: boolean;
  /** @internal */
  readonly [kNative]: EventHandle;
  #disposed = false;

  /** @internal use Event.create() */
  constructor(token: typeof kCreate, handle: EventHandle, device: number, timing: boolean) {
    if (token !== kCreate) throw new TypeError('Event: use Event.create()');
    this[kNative] = handle;
    this.device = device;
    this.timing = timing;
  }

  /** A new event; `timing` (default true) enables elapsedMs at a small recording cost. */
  static create(opts: { device?: number; timing?: boolean } = {}): Event {
    if (typeof opts !== 'object' || opts === null) throw new TypeError(`opts must be an object, got ${describe(opts)}`);
    const device = resolveDevice(opts.device, 'opts.device');
    const timing = opts.timing === undefined ? true : expectBool('opts.timing', opts.timing);
    const b = driver();
    const handle = b.eventCreate(device, timing);
    const e = new Event(kCreate, handle, device, timing);
    trackForRelease(e, () => b.eventDestroy(handle), e);
    return e;
  }

  get disposed(): boolean {
    return this.#disposed;
  }

  /** Records the event on `stream` (the default stream of the event's device when omitted). */
  record(stream?: Stream): void {
    const s = streamOrDefault('stream', stream, this.device);
    if (s.device !== this.device) {
      throw new RangeError(`stream must be on device ${this.device} like the event, got a stream on ${s.device}`);
    }
    driver().eventRecord(this[kNative], s[kNative]);
  }

  synchronize(): void {
    driver().eventSynchronize(this[kNative]);
  }

  /** True once the work before the last record() has completed. */
  query(): boolean {
    return driver().eventQuery(this[kNative]);
  }

  /** Milliseconds between this event and `end` (both recorded, completed and created with timing). */
  elapsedMs(end: Event): number {
    if (!(end instanceof Event)) throw new TypeError(`end must be an Event, got ${describe(end)}`);
    if (!this.timing || !end.timing) {
      throw new RangeError('elapsedMs needs two events created with timing: true, got one with timing: false');
    }
    return driver().eventElapsed(this[kNative], end[kNative]);
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    untrack(this);
    driver().eventDestroy(this[kNative]);
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}
