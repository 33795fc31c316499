/**
 * The parse worker's MemoryBlob reads back what the runtime's Blob reads back, for any parts
 * (bytes, views, ArrayBuffers, strings, other blobs) and any slice; parts are copied when the
 * blob is made.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { propertyParameters, propertyRuns } from '../support/property-config.js';
import { MemoryBlob } from '../../src/mime/memory-blob.js';

const RUNS = propertyRuns(0.25, 50);

type PartSpec = { kind: 'bytes' | 'view' | 'buffer' | 'string' | 'blob'; bytes: Uint8Array; text: string };

const partSpec: fc.Arbitrary<PartSpec> = fc.record({
  kind: fc.constantFrom('bytes', 'view', 'buffer', 'string', 'blob'),
  bytes: fc.uint8Array({ maxLength: 64, size: 'max' }),
  text: fc.oneof(fc.constant('\n'), fc.string({ unit: 'binary', maxLength: 16 })),
});

/** The same part for each implementation (a nested blob is made with that implementation). */
function makePart(spec: PartSpec, BlobClass: typeof Blob | typeof MemoryBlob): unknown {
  switch (spec.kind) {
    case 'bytes':
      return spec.bytes;
    case 'view':
      return new DataView(spec.bytes.buffer, spec.bytes.byteOffset, spec.bytes.byteLength);
    case 'buffer':
      return spec.bytes.slice().buffer;
    case 'string':
      return spec.text;
    case 'blob':
      return new BlobClass([spec.bytes, spec.text] as never);
  }
}

test('MemoryBlob reads back what Blob reads back, whole and sliced', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(partSpec, { maxLength: 8, size: 'max' }), fc.integer({ min: -80, max: 400 }), fc.integer({ min: -80, max: 400 }), fc.string({ maxLength: 12 }), async (specs, start, end, type) => {
      const native = new Blob(specs.map((spec) => makePart(spec, Blob)) as never, { type });
      const ours = new MemoryBlob(specs.map((spec) => makePart(spec, MemoryBlob)) as never, { type });
      assert.equal(ours.size, native.size);
      assert.equal(ours.type, native.type);
      assert.deepEqual(new Uint8Array(await ours.arrayBuffer()), new Uint8Array(await native.arrayBuffer()));
      assert.equal(await ours.text(), await native.text());
      const nativeSlice = native.slice(start, end);
      const ourSlice = ours.slice(start, end);
      assert.equal(ourSlice.size, nativeSlice.size);
      assert.deepEqual(new Uint8Array(await ourSlice.arrayBuffer()), new Uint8Array(await nativeSlice.arrayBuffer()));
    }),
    propertyParameters(RUNS),
  );
});

test('MemoryBlob copies its parts, and each read gets its own copy', async () => {
  const part = Uint8Array.of(1, 2, 3);
  const blob = new MemoryBlob([part, '\n']);
  part[0] = 9;
  const first = new Uint8Array(await blob.arrayBuffer());
  assert.deepEqual(first, Uint8Array.of(1, 2, 3, 10));
  first[1] = 9;
  assert.deepEqual(new Uint8Array(await blob.arrayBuffer()), Uint8Array.of(1, 2, 3, 10));
  assert.equal(Object.prototype.toString.call(blob), '[object Blob]');
  const chunks: Uint8Array[] = [];
  for await (const chunk of blob.stream()) chunks.push(chunk);
  assert.deepEqual(chunks, [Uint8Array.of(1, 2, 3, 10)]);
});
