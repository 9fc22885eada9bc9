/**
 * The safetensors format: an 8-byte little-endian header length N, N bytes of JSON header
 * ({"__metadata__": {str: str}, name: {dtype, shape, data_offsets: [begin, end]}}, padded with
 * spaces to a multiple of 8), then the tensor bytes, little-endian and C-ordered.
 *
 * Reading gives views into one buffer holding the file's data section (no per-tensor copy);
 * writing reproduces the reference implementation's bytes: tensors sorted by descending dtype
 * alignment then name, `__metadata__` first, compact JSON, space padding. Reading a file and
 * writing what was read gives the same bytes back for any file the reference wrote.
 */
import { promises as fs } from 'fs';
import { orderedObjectEntries } from './ordered-json';
import { bytesPerElement, compareReferenceOrder, isSafetensorsDtype, SafetensorsDtype } from './safetensors-dtype';

export interface RawTensor {
  dtype: SafetensorsDtype;
  shape: number[];
  /** Exactly the tensor's bytes (little-endian); when read, a view into the file's data buffer. */
  bytes: Uint8Array;
}

export interface SafetensorsContents {
  /** `__metadata__`, in header order; null when the file has none (not the same as an empty map). */
  metadata: Map<string, string> | null;
  /** In header order. */
  tensors: Map<string, RawTensor>;
}

export interface SafetensorsHeaderEntry {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  begin: number;
  end: number;
}

export interface SafetensorsHeader {
  metadata: Map<string, string> | null;
  /** In header order. */
  entries: SafetensorsHeaderEntry[];
  /** Where the data section starts in the file: 8 + N. */
  dataStart: number;
  /** The data section's length as the offsets declare it. */
  dataLength: number;
}

export interface SafetensorsWriteOptions {
  /**
   * 'reference' (default): the reference writer's order, descending dtype alignment then name,
   * which keeps every tensor aligned to its element size. 'as-given': the tensors map's order.
   */
  order?: 'reference' | 'as-given';
}

/** The reference implementation refuses larger headers. */
const MAX_HEADER_BYTES = 100_000_000;
/** Node reads and writes at most 2 GiB per call. */
const IO_CHUNK_BYTES = 1 << 30;

export function parseSafetensorsHeader(headerBytes: Uint8Array, source: string): Omit<SafetensorsHeader, 'dataStart'> {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(headerBytes);
  } catch {
    throw new Error(`${source}: safetensors header is not valid UTF-8`);
  }
  if (!text.startsWith('{')) throw new Error(`${source}: safetensors header does not start with '{'`);
  let topLevel: Array<[string, string]>;
  try {
    topLevel = orderedObjectEntries(text, source);
  } catch (error) {
    throw new Error(`${source}: safetensors header is not valid JSON (${(error as Error).message})`);
  }
  let metadata: Map<string, string> | null = null;
  const entries: SafetensorsHeaderEntry[] = [];
  for (const [name, valueText] of topLevel) {
    if (name === '__metadata__') metadata = parseMetadata(valueText, source);
    else entries.push(parseEntry(name, JSON.parse(valueText), source));
  }
  return { metadata, entries, dataLength: checkOffsets(entries, source) };
}

function parseMetadata(valueText: string, source: string): Map<string, string> {
  if (!valueText.startsWith('{')) throw new Error(`${source}: "__metadata__" must be an object of strings`);
  const metadata = new Map<string, string>();
  for (const [key, text] of orderedObjectEntries(valueText, source)) {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'string') throw new Error(`${source}: "__metadata__"."${key}" must be a string (got ${text})`);
    metadata.set(key, value);
  }
  return metadata;
}

function parseEntry(name: string, value: unknown, source: string): SafetensorsHeaderEntry {
  const where = `${source}: tensor "${name}"`;
  if (value === null || typeof value !== 'object') throw new Error(`${where}: expected {dtype, shape, data_offsets}`);
  const { dtype, shape, data_offsets: offsets } = value as Record<string, unknown>;
  if (!isSafetensorsDtype(dtype)) throw new Error(`${where}: unsupported dtype ${JSON.stringify(dtype)}`);
  if (!Array.isArray(shape) || !shape.every(isNonNegativeInteger)) {
    throw new Error(`${where}: shape must be an array of non-negative integers (got ${JSON.stringify(shape)})`);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isNonNegativeInteger) || offsets[1] < offsets[0]) {
    throw new Error(`${where}: data_offsets must be [begin, end] with 0 <= begin <= end (got ${JSON.stringify(offsets)})`);
  }
  return { name, dtype, shape: shape as number[], begin: offsets[0] as number, end: offsets[1] as number };
}

function isNonNegativeInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** As the reference validates: sorted by offset, the tensors tile the data section from 0 with no gap or overlap. */
function checkOffsets(entries: SafetensorsHeaderEntry[], source: string): number {
  let expectedBegin = 0;
  for (const entry of [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end)) {
    if (entry.begin !== expectedBegin) {
      throw new Error(`${source}: tensor "${entry.name}" starts at byte ${entry.begin} of the data, expected ${expectedBegin} (gap or overlap)`);
    }
    const byteLength = elementCount(entry.shape) * bytesPerElement(entry.dtype);
    if (entry.end - entry.begin !== byteLength) {
      throw new Error(
        `${source}: tensor "${entry.name}" has ${entry.end - entry.begin} bytes for ${entry.dtype} [${entry.shape.join(', ')}], which needs ${byteLength}`,
      );
    }
    expectedBegin = entry.end;
  }
  return expectedBegin;
}

export function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function readHeaderLength(lengthBytes: Uint8Array, fileLength: number, source: string): number {
  if (lengthBytes.length < 8) throw new Error(`${source}: too short to be a safetensors file`);
  const length = new DataView(lengthBytes.buffer, lengthBytes.byteOffset, 8).getBigUint64(0, true);
  if (length > BigInt(MAX_HEADER_BYTES)) throw new Error(`${source}: safetensors header length ${length} exceeds ${MAX_HEADER_BYTES} bytes`);
  if (Number(length) + 8 > fileLength) throw new Error(`${source}: safetensors header length ${length} runs past the end of the file`);
  return Number(length);
}

function tensorsFromData(header: Omit<SafetensorsHeader, 'dataStart'>, data: ArrayBuffer, dataOffset: number): Map<string, RawTensor> {
  const tensors = new Map<string, RawTensor>();
  for (const { name, dtype, shape, begin, end } of header.entries) {
    tensors.set(name, { dtype, shape, bytes: new Uint8Array(data, dataOffset + begin, end - begin) });
  }
  return tensors;
}

/** Parses a whole safetensors file held in memory; the tensors are views into `file`. */
export function parseSafetensors(file: Uint8Array, source = 'safetensors'): SafetensorsContents {
  const headerLength = readHeaderLength(file, file.length, source);
  const header = parseSafetensorsHeader(file.subarray(8, 8 + headerLength), source);
  checkDataLength(header.dataLength, file.length - 8 - headerLength, source);
  return { metadata: header.metadata, tensors: tensorsFromData(header, file.buffer as ArrayBuffer, file.byteOffset + 8 + headerLength) };
}

function checkDataLength(declared: number, actual: number, source: string): void {
  if (declared !== actual) {
    throw new Error(`${source}: the header's tensors cover ${declared} bytes but the file has ${actual} bytes of data`);
  }
}

/** Reads only the header of a safetensors file. */
export async function readSafetensorsHeader(path: string): Promise<SafetensorsHeader> {
  const file = await fs.open(path, 'r');
  try {
    return await readHeaderFrom(file, path);
  } finally {
    await file.close();
  }
}

async function readHeaderFrom(file: fs.FileHandle, path: string): Promise<SafetensorsHeader> {
  const { size } = await file.stat();
  const lengthBytes = new Uint8Array(Math.min(8, size));
  await readFully(file, lengthBytes, 0, path);
  const headerLength = readHeaderLength(lengthBytes, size, path);
  const headerBytes = new Uint8Array(headerLength);
  await readFully(file, headerBytes, 8, path);
  const header = parseSafetensorsHeader(headerBytes, path);
  checkDataLength(header.dataLength, size - 8 - headerLength, path);
  return { ...header, dataStart: 8 + headerLength };
}

/**
 * Reads a safetensors file: the data section goes into one fresh buffer (starting at offset 0, so
 * a file laid out by the reference has every tensor aligned to its element size), and each tensor
 * is a view into it. Files larger than a single Uint8Array can hold are fine: views are per tensor.
 */
export async function readSafetensorsFile(path: string): Promise<SafetensorsContents> {
  const file = await fs.open(path, 'r');
  try {
    const header = await readHeaderFrom(file, path);
    const data = new ArrayBuffer(header.dataLength);
    for (let offset = 0; offset < header.dataLength; offset += IO_CHUNK_BYTES) {
      const length = Math.min(IO_CHUNK_BYTES, header.dataLength - offset);
      await readFully(file, new Uint8Array(data, offset, length), header.dataStart + offset, path);
    }
    return { metadata: header.metadata, tensors: tensorsFromData(header, data, 0) };
  } finally {
    await file.close();
  }
}

async function readFully(file: fs.FileHandle, into: Uint8Array, position: number, path: string): Promise<void> {
  let done = 0;
  while (done < into.length) {
    const { bytesRead } = await file.read(into, done, into.length - done, position + done);
    if (bytesRead === 0) throw new Error(`${path}: unexpected end of file (was it changed while being read?)`);
    done += bytesRead;
  }
}

interface LaidOut {
  /** 8-byte length + padded header. */
  prefix: Uint8Array;
  tensors: RawTensor[];
}

function layOut(contents: SafetensorsContents, options: SafetensorsWriteOptions): LaidOut {
  const named = [...contents.tensors].map(([name, tensor]) => ({ name, ...tensor }));
  for (const t of named) {
    const expected = elementCount(t.shape) * bytesPerElement(t.dtype);
    if (t.bytes.length !== expected) {
      throw new Error(`safetensors: tensor "${t.name}" has ${t.bytes.length} bytes for ${t.dtype} [${t.shape.join(', ')}], which needs ${expected}`);
    }
  }
  const inOrder = (options.order ?? 'reference') === 'reference' ? [...named].sort(compareReferenceOrder) : named;
  const parts: string[] = [];
  if (contents.metadata) {
    const fields = [...contents.metadata].map(([key, value]) => `${JSON.stringify(key)}:${JSON.stringify(value)}`);
    parts.push(`"__metadata__":{${fields.join(',')}}`);
  }
  let offset = 0;
  for (const t of inOrder) {
    const end = offset + t.bytes.length;
    parts.push(`${JSON.stringify(t.name)}:{"dtype":"${t.dtype}","shape":[${t.shape.join(',')}],"data_offsets":[${offset},${end}]}`);
    offset = end;
  }
  const json = new TextEncoder().encode(`{${parts.join(',')}}`);
  const padded = Math.ceil(json.length / 8) * 8;
  const prefix = new Uint8Array(8 + padded).fill(0x20, 8 + json.length);
  new DataView(prefix.buffer).setBigUint64(0, BigInt(padded), true);
  prefix.set(json, 8);
  return { prefix, tensors: inOrder };
}

/** The file's bytes, in memory (for files under 4 GiB; use writeSafetensorsFile for big ones). */
export function serializeSafetensors(contents: SafetensorsContents, options: SafetensorsWriteOptions = {}): Uint8Array {
  const { prefix, tensors } = layOut(contents, options);
  const out = new Uint8Array(prefix.length + tensors.reduce((sum, t) => sum + t.bytes.length, 0));
  out.set(prefix);
  let offset = prefix.length;
  for (const t of tensors) {
    out.set(t.bytes, offset);
    offset += t.bytes.length;
  }
  return out;
}

/** Writes the file tensor by tensor, never holding a second copy of the data. */
export async function writeSafetensorsFile(path: string, contents: SafetensorsContents, options: SafetensorsWriteOptions = {}): Promise<void> {
  const { prefix, tensors } = layOut(contents, options);
  const file = await fs.open(path, 'w');
  try {
    await writeFully(file, prefix);
    for (const t of tensors) {
      for (let offset = 0; offset < t.bytes.length; offset += IO_CHUNK_BYTES) {
        await writeFully(file, t.bytes.subarray(offset, Math.min(offset + IO_CHUNK_BYTES, t.bytes.length)));
      }
    }
  } finally {
    await file.close();
  }
}

async function writeFully(file: fs.FileHandle, bytes: Uint8Array): Promise<void> {
  let done = 0;
  while (done < bytes.length) {
    const { bytesWritten } = await file.write(bytes, done, bytes.length - done);
    done += bytesWritten;
  }
}
