// Streams: created ones own a CUstream; Stream.default(device) is the legacy null stream of that device.
import { describe, expectBool, expectInt } from './args.js';
import { driver, resolveDevice } from './device.js';
import { kNative, trackForRelease, untrack } from './handles.js';
import type { StreamHandle } from './native.js';

const kCreate = Symbol('Stream.create');
const defaults: Stream[] = [];

export class Stream implements Disposable {
  readonly device: number;
  /** @internal */
  readonly [kNative]: StreamHandle;
  readonly #owned: boolean;
  #disposed = false;

  /** @internal use Stream.create() or Stream.default() */
  constructor(token: typeof kCreate, handle: StreamHandle, device: number, owned: boolean) {
    if (token !== kCreate) throw new TypeError('Stream: use Stream.create() or Stream.default()');
    this[kNative] = handle;
    this.device = device;
    this.#owned = owned;
  }

  /**
   * A new stream. `nonBlocking` streams do not synchronise with the legacy default stream; `priority` follows CUDA
   * (lower is higher priority, clamped by the driver to the device's range).
   */
  static create(opts: { device?: number; nonBlocking?: boolean; priority?: number } = {}): Stream {
    if (typeof opts !== 'object' || opts === null) throw new TypeError(`opts must be an object, got ${describe(opts)}`);
    const device = resolveDevice(opts.device, 'opts.device');
    const nonBlocking = opts.nonBlocking === undefined ? false : expectBool('opts.nonBlocking', opts.nonBlocking);
    const priority = opts.priority === undefined ? 0 : expectInt('opts.priority', opts.priority, -1024, 1024);
    const b = driver();
    const handle = b.streamCreate(device, nonBlocking, priority);
    const s = new Stream(kCreate, handle, device, true);
    trackForRelease(s, () => b.streamDestroy(handle), s);
    return s;
  }

  /** The legacy default (null) stream of `device`; one object per device, never destroyed. */
  static default(device?: number): Stream {
    const d = resolveDevice(device);
    let s = defaults[d];
    if (s === undefined) {
      s = new Stream(kCreate, driver().streamDefault(d), d, false);
      defaults[d] = s;
    }
    return s;
  }

  get disposed(): boolean {
    return this.#disposed;
  }

  /** Blocks until all work queued on the stream is done. */
  synchronize(): void {
    driver().streamSynchronize(this[kNative]);
  }

  /** True when all queued work is done. */
  query(): boolean {
    return driver().streamQuery(this[kNative]);
  }

  /** Destroys a created stream (queued work still completes); a no-op for the default stream. */
  dispose(): void {
    if (this.#disposed || !this.#owned) return;
    this.#disposed = true;
    untrack(this);
    driver().streamDestroy(this[kNative]);
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}

/** The stream to use when an optional `stream` argument is omitted: the default stream of `device`. */
export function streamOrDefault(name: string, stream: Stream | undefined, device: number): Stream {
  if (stream === undefined) return Stream.default(device);
  if (!(stream instanceof Stream)) throw new TypeError(`${name} must be a Stream, got ${describe(stream)}`);
  return stream;
}
