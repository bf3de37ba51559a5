// CUDA graphs by stream capture: record a sequence of launches once, replay it with one call.
import { describe, expectOneOf } from './args.js';
import { driver } from './device.js';
import { kNative, trackForRelease, untrack } from './handles.js';
import type { GraphExecHandle, GraphHandle } from './native.js';
import { Stream, streamOrDefault } from './stream.js';

const kCreate = Symbol('Graph.create');
const MODES = ['global', 'thread_local', 'relaxed'] as const;

/** Streams between beginCapture and endCapture. */
const capturing = new WeakSet<Stream>();

/** Whether `stream` is being captured (between beginCapture and endCapture): work queued on it is recorded, not run. */
export function isCapturing(stream: Stream): boolean {
  return capturing.has(stream);
}

function capturable(stream: Stream): Stream {
  if (!(stream instanceof Stream)) throw new TypeError(`stream must be a Stream, got ${describe(stream)}`);
  return stream;
}

/**
 * Starts capturing the work queued on `stream` (a created stream: the legacy default stream cannot be captured).
 * 'global' (the default) makes unsafe calls such as cuMemAlloc fail in any thread while the capture lasts.
 */
export function beginCapture(stream: Stream, mode: 'global' | 'thread_local' | 'relaxed' = 'global'): void {
  capturable(stream);
  const m = MODES.indexOf(expectOneOf('mode', mode, MODES));
  driver().beginCapture(stream[kNative], m);
  capturing.add(stream);
}

/** Ends the capture started on `stream` and returns the recorded graph. */
export function endCapture(stream: Stream): Graph {
  capturable(stream);
  const b = driver();
  capturing.delete(stream);
  const handle = b.endCapture(stream[kNative]);
  const g = new Graph(kCreate, handle, stream.device);
  trackForRelease(g, () => b.graphDestroy(handle), g);
  return g;
}

export class Graph implements Disposable {
  readonly device: number;
  /** @internal */
  readonly [kNative]: GraphHandle;
  #disposed = false;

  /** @internal use endCapture() */
  constructor(token: typeof kCreate, handle: GraphHandle, device: number) {
    if (token !== kCreate) throw new TypeError('Graph: use beginCapture() / endCapture()');
    this[kNative] = handle;
    this.device = device;
  }

  get disposed(): boolean {
    return this.#disposed;
  }

  /** An executable instance; the graph itself may be disposed afterwards. */
  instantiate(): GraphExec {
    if (this.#disposed) throw new Error('instantiate: the graph has been disposed');
    const b = driver();
    const handle = b.graphInstantiate(this[kNative]);
    const x = new GraphExec(kCreate, handle, this.device);
    trackForRelease(x, () => b.graphExecDestroy(handle), x);
    return x;
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    untrack(this);
    driver().graphDestroy(this[kNative]);
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}

export class GraphExec implements Disposable {
  readonly device: number;
  /** @internal */
  readonly [kNative]: GraphExecHandle;
  #disposed = false;

  /** @internal use Graph.instantiate() */
  constructor(token: typeof kCreate, handle: GraphExecHandle, device: number) {
    if (token !== kCreate) throw new TypeError('GraphExec: use Graph.instantiate()');
    this[kNative] = handle;
    this.device = device;
  }

  get disposed(): boolean {
    return this.#disposed;
  }

  /** Replays the graph on `stream` (the default stream of the graph's device when omitted). */
  launch(stream?: Stream): void {
    if (this.#disposed) throw new Error('launch: the graph exec has been disposed');
    const s = streamOrDefault('stream', stream, this.device);
    if (s.device !== this.device) {
      throw new RangeError(`stream must be on device ${this.device} like the graph, got a stream on ${s.device}`);
    }
    driver().graphLaunch(this[kNative], s[kNative]);
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    untrack(this);
    driver().graphExecDestroy(this[kNative]);
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}
