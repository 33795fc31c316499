/**
 * A plain in-memory Blob for the MIME parse worker. postal-mime gathers every decoded body part
 * into `new Blob(chunks)` and reads it straight back with `blob.arrayBuffer()`. Node 20's Blob
 * copies the parts into a native blob and reads them back through a stream, microtask by
 * microtask: in the sync benchmark's profile that was ~40 % of the parse worker's CPU (with the
 * garbage it makes). This Blob concatenates the parts once, when it is made.
 *
 * Only the parse worker installs it (installMemoryBlob), in a thread that runs nothing but
 * parseMessage; the embedding application's threads keep the runtime's own Blob.
 */

type BlobPart = ArrayBuffer | ArrayBufferView | string | MemoryBlob;

const utf8 = new TextEncoder();
/** postal-mime pushes a '\n' after every line of a part it passes through. */
const NEWLINE = Uint8Array.of(0x0a);

function partBytes(part: BlobPart): Uint8Array {
  if (typeof part === 'string') return part === '\n' ? NEWLINE : utf8.encode(part);
  if (part instanceof MemoryBlob) return part.bytesView();
  if (part instanceof ArrayBuffer) return new Uint8Array(part);
  if (ArrayBuffer.isView(part)) return new Uint8Array(part.buffer, part.byteOffset, part.byteLength);
  return utf8.encode(String(part));
}

export class MemoryBlob {
  readonly type: string;
  readonly size: number;
  private readonly contents: Uint8Array;

  constructor(parts: Iterable<BlobPart> = [], options: { type?: string } = {}) {
    // Parts are copied now, once, into one array, as the Blob constructor copies them: later
    // changes to a caller's buffer do not show through.
    const views = Array.from(parts, partBytes);
    this.size = views.reduce((sum, view) => sum + view.byteLength, 0);
    this.contents = new Uint8Array(this.size);
    let offset = 0;
    for (const view of views) {
      this.contents.set(view, offset);
      offset += view.byteLength;
    }
    const type = options.type ?? '';
    this.type = /^[\x20-\x7e]*$/.test(type) ? type.toLowerCase() : '';
  }

  get [Symbol.toStringTag](): string {
    return 'Blob';
  }

  /** The contents, shared: callers that hand them out copy them. */
  bytesView(): Uint8Array {
    return this.contents;
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    return this.bytesView().slice().buffer;
  }

  async bytes(): Promise<Uint8Array> {
    return this.bytesView().slice();
  }

  async text(): Promise<string> {
    return new TextDecoder().decode(this.bytesView());
  }

  slice(start = 0, end = this.size, type = ''): MemoryBlob {
    const clamp = (index: number): number => (index < 0 ? Math.max(this.size + index, 0) : Math.min(index, this.size));
    const from = clamp(start);
    const to = Math.max(clamp(end), from);
    return new MemoryBlob([this.bytesView().subarray(from, to)], { type });
  }

  stream(): ReadableStream<Uint8Array> {
    const bytes = this.bytesView().slice();
    return new ReadableStream<Uint8Array>({
      start(controller) {
        if (bytes.byteLength > 0) controller.enqueue(bytes);
        controller.close();
      },
    });
  }
}

/** Makes MemoryBlob the thread's global Blob. For the parse worker only. */
export function installMemoryBlob(): void {
  (globalThis as { Blob: unknown }).Blob = MemoryBlob;
}
