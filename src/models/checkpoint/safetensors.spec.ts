import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import {
  parseSafetensors,
  RawTensor,
  readSafetensorsFile,
  readSafetensorsHeader,
  SafetensorsContents,
  serializeSafetensors,
  writeSafetensorsFile,
} from './safetensors';
import { byteView, toFloat32, toHostTensor } from './tensor-data';

const hex = (text: string) => Uint8Array.from(Buffer.from(text, 'hex'));
const utf8 = (text: string) => new TextEncoder().encode(text);
const concat = (...parts: Uint8Array[]) => Uint8Array.from(Buffer.concat(parts));
const u64 = (n: number) => {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(n), true);
  return out;
};

/** Files exactly as the reference implementation (safetensors' Rust crate) writes them, from its own tests. */
const REFERENCE = {
  // {"attn.0": F32 [1,2,3] = 0..5}: a 64-byte header, already a multiple of 8.
  attn: hex(
    '40000000000000007b226174746e2e30223a7b226474797065223a22463332222c227368617065223a5b312c322c335d2c22646174615f6f666673657473223a5b302c32345d7d7d000000000000803f0000004000004040000080400000a040',
  ),
  // {"attn0": F32 [1,1,2,3]}: 65 bytes of JSON padded with 7 spaces.
  padded: hex(
    '48000000000000007b226174746e30223a7b226474797065223a22463332222c227368617065223a5b312c312c322c335d2c22646174615f6f666673657473223a5b302c32345d7d7d20202020202020000000000000803f0000004000004040000080400000a040',
  ),
  // No tensors, metadata {"framework": "pt"}.
  metadataOnly: hex('28000000000000007b225f5f6d657461646174615f5f223a7b226672616d65776f726b223a227074227d7d2020202020'),
  // No tensors, no metadata.
  empty: hex('08000000000000007b7d202020202020'),
};

function tensor(dtype: RawTensor['dtype'], shape: number[], bytes: ArrayLike<number>): RawTensor {
  return { dtype, shape, bytes: Uint8Array.from(bytes) };
}

describe('safetensors', () => {
  it('reads files written by the reference implementation', () => {
    const { metadata, tensors } = parseSafetensors(REFERENCE.attn);
    expect(metadata).toBeNull();
    expect([...tensors.keys()]).toEqual(['attn.0']);
    const attn = tensors.get('attn.0')!;
    expect(attn.dtype).toBe('F32');
    expect(attn.shape).toEqual([1, 2, 3]);
    expect([...toFloat32(attn, 'attn.0')]).toEqual([0, 1, 2, 3, 4, 5]);
    expect(parseSafetensors(REFERENCE.metadataOnly).metadata).toEqual(new Map([['framework', 'pt']]));
  });

  it.each(Object.entries(REFERENCE))('writes back the reference file %s byte for byte', (_, file) => {
    expect(Buffer.from(serializeSafetensors(parseSafetensors(file)))).toEqual(Buffer.from(file));
    expect(Buffer.from(serializeSafetensors(parseSafetensors(file), { order: 'as-given' }))).toEqual(Buffer.from(file));
  });

  it('reads F32 tensors as views into the file, not copies', () => {
    const { tensors } = parseSafetensors(REFERENCE.padded);
    const attn = tensors.get('attn0')!;
    expect(attn.bytes.buffer).toBe(REFERENCE.padded.buffer);
    expect(toFloat32(attn, 'attn0').buffer).toBe(REFERENCE.padded.buffer);
  });

  it('copies a tensor only when it is not aligned for its element type', () => {
    const shifted = new Uint8Array(REFERENCE.padded.length + 1);
    shifted.set(REFERENCE.padded, 1);
    const attn = parseSafetensors(shifted.subarray(1)).tensors.get('attn0')!;
    const values = toFloat32(attn, 'attn0');
    expect(values.buffer).not.toBe(shifted.buffer);
    expect([...values]).toEqual([0, 1, 2, 3, 4, 5]);
  });

  // Every dtype kind at once, so the reference order (descending alignment, then name) shows.
  const mixed: SafetensorsContents = {
    metadata: new Map([
      ['format', 'pt'],
      ['0', 'integer-like keys keep their place'],
    ]),
    tensors: new Map([
      ['m', tensor('BOOL', [3], [1, 0, 1])],
      ['a', tensor('F16', [2], [0x00, 0x3c, 0x00, 0xc1])],
      ['z', tensor('F32', [1], byteView(new Float32Array([1.5])))],
      ['c', tensor('U8', [1], [7])],
      ['y', tensor('BF16', [1], [0x80, 0x3f])],
      ['b', tensor('I64', [2], byteView(new BigInt64Array([-1n, 2n])))],
      ['n', tensor('I32', [1], byteView(new Int32Array([-3])))],
      ['d', tensor('F64', [1], byteView(new Float64Array([0.1])))],
    ]),
  };
  const mixedHeader =
    '{"__metadata__":{"format":"pt","0":"integer-like keys keep their place"},' +
    '"b":{"dtype":"I64","shape":[2],"data_offsets":[0,16]},' +
    '"d":{"dtype":"F64","shape":[1],"data_offsets":[16,24]},' +
    '"z":{"dtype":"F32","shape":[1],"data_offsets":[24,28]},' +
    '"n":{"dtype":"I32","shape":[1],"data_offsets":[28,32]},' +
    '"y":{"dtype":"BF16","shape":[1],"data_offsets":[32,34]},' +
    '"a":{"dtype":"F16","shape":[2],"data_offsets":[34,38]},' +
    '"c":{"dtype":"U8","shape":[1],"data_offsets":[38,39]},' +
    '"m":{"dtype":"BOOL","shape":[3],"data_offsets":[39,42]}}';

  it('writes tensors in the reference order with the reference header layout', () => {
    const file = serializeSafetensors(mixed);
    const headerLength = Number(new DataView(file.buffer).getBigUint64(0, true));
    expect(headerLength % 8).toBe(0);
    const header = new TextDecoder().decode(file.subarray(8, 8 + headerLength));
    expect(header).toBe(mixedHeader + ' '.repeat(headerLength - mixedHeader.length));
    expect(file.length).toBe(8 + headerLength + 42);
  });

  it('round-trips every dtype bit-identically, values included', () => {
    const file = serializeSafetensors(mixed);
    const back = parseSafetensors(file);
    expect(Buffer.from(serializeSafetensors(back))).toEqual(Buffer.from(file));
    expect([...back.metadata!.keys()]).toEqual(['format', '0']);
    expect(toHostTensor(back.tensors.get('b')!, 'b').data).toEqual(new BigInt64Array([-1n, 2n]));
    expect(toHostTensor(back.tensors.get('n')!, 'n').data).toEqual(new Int32Array([-3]));
    expect(toHostTensor(back.tensors.get('m')!, 'm')).toEqual({ dtype: 'bool', shape: [3], data: Uint8Array.from([1, 0, 1]) });
    expect([...toFloat32(back.tensors.get('a')!, 'a')]).toEqual([1, -2.5]);
    expect([...toFloat32(back.tensors.get('y')!, 'y')]).toEqual([1]);
    expect([...toFloat32(back.tensors.get('d')!, 'd')]).toEqual([Math.fround(0.1)]);
    expect(() => toFloat32(back.tensors.get('c')!, 'c')).toThrow('tensor "c" has dtype U8, which cannot be read as float32 weights');
  });

  it('keeps a header order that is not the reference one when asked to write as given', () => {
    const asGiven: SafetensorsContents = {
      metadata: null,
      tensors: new Map([
        ['b', tensor('F32', [1], [0, 0, 0x80, 0x3f])],
        ['10', tensor('F32', [1], [0, 0, 0, 0x40])],
        ['a', tensor('F32', [1], [0, 0, 0x40, 0x40])],
      ]),
    };
    const file = serializeSafetensors(asGiven, { order: 'as-given' });
    const back = parseSafetensors(file);
    expect([...back.tensors.keys()]).toEqual(['b', '10', 'a']);
    expect(Buffer.from(serializeSafetensors(back, { order: 'as-given' }))).toEqual(Buffer.from(file));
    expect([...parseSafetensors(serializeSafetensors(back)).tensors.keys()]).toEqual(['10', 'a', 'b']);
  });

  it('writes and reads files, including the header alone', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ked-safetensors-'));
    try {
      const path = join(dir, 'mixed.safetensors');
      await writeSafetensorsFile(path, mixed);
      expect(Buffer.from(readFileSync(path))).toEqual(Buffer.from(serializeSafetensors(mixed)));
      const back = await readSafetensorsFile(path);
      expect(Buffer.from(serializeSafetensors(back))).toEqual(readFileSync(path));
      const header = await readSafetensorsHeader(path);
      expect(header.entries.map((e) => [e.name, e.begin, e.end])).toEqual([
        ['b', 0, 16],
        ['d', 16, 24],
        ['z', 24, 28],
        ['n', 28, 32],
        ['y', 32, 34],
        ['a', 34, 38],
        ['c', 38, 39],
        ['m', 39, 42],
      ]);
      expect(header.dataStart).toBe(8 + mixedHeader.length + ((8 - (mixedHeader.length % 8)) % 8));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('refuses malformed files, naming the problem', () => {
    const file = (header: string, dataLength: number) => concat(u64(utf8(header).length), utf8(header), new Uint8Array(dataLength));

    it.each([
      ['short', new Uint8Array(4), 'x.safetensors: too short to be a safetensors file'],
      ['header past the end', concat(u64(100), utf8('{}')), 'header length 100 runs past the end of the file'],
      ['not JSON', file('{"a":', 0), 'x.safetensors: safetensors header is not valid JSON'],
      ['not an object', file('[1, 2]', 0), "safetensors header does not start with '{'"],
      ['unknown dtype', file('{"w":{"dtype":"F4","shape":[2],"data_offsets":[0,1]}}', 1), 'x.safetensors: tensor "w": unsupported dtype "F4"'],
      ['bad shape', file('{"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}', 4), 'tensor "w": shape must be an array of non-negative integers (got [-1])'],
      ['size mismatch', file('{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}', 4), 'tensor "w" has 4 bytes for F32 [2], which needs 8'],
      ['gap', file('{"w":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}}', 2), 'tensor "w" starts at byte 1 of the data, expected 0'],
      ['trailing data', file('{"w":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}', 3), "the header's tensors cover 1 bytes but the file has 3 bytes of data"],
      ['non-string metadata', file('{"__metadata__":{"step":1}}', 0), '"__metadata__"."step" must be a string (got 1)'],
      ['duplicate names', file('{"w":{"dtype":"U8","shape":[0],"data_offsets":[0,0]},"w":{"dtype":"U8","shape":[0],"data_offsets":[0,0]}}', 0), 'duplicate key "w"'],
    ])('%s', (_, bytes, message) => {
      expect(() => parseSafetensors(bytes, 'x.safetensors')).toThrow(message);
    });

    it('files too short, or whose header is larger than the reference allows', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'ked-safetensors-'));
      try {
        writeFileSync(join(dir, 'big.safetensors'), concat(u64(200_000_000), utf8('{}')));
        await expect(readSafetensorsFile(join(dir, 'big.safetensors'))).rejects.toThrow('header length 200000000 exceeds 100000000 bytes');
        writeFileSync(join(dir, 'tiny.safetensors'), '{}');
        await expect(readSafetensorsHeader(join(dir, 'tiny.safetensors'))).rejects.toThrow(`${join(dir, 'tiny.safetensors')}: too short to be a safetensors file`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
