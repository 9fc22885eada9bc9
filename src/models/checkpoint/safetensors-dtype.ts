/**
 * The safetensors element types ked reads and writes: every whole-byte dtype of the format.
 * The sub-byte ones (F4, F6_*) are refused by name when met.
 */

/** In the reference implementation's enum order, which is ascending alignment: it sorts tensors by it. */
export const SAFETENSORS_DTYPES = [
  'BOOL',
  'U8',
  'I8',
  'F8_E5M2',
  'F8_E4M3',
  'F8_E8M0',
  'I16',
  'U16',
  'F16',
  'BF16',
  'I32',
  'U32',
  'F32',
  'C64',
  'F64',
  'I64',
  'U64',
] as const;

export type SafetensorsDtype = (typeof SAFETENSORS_DTYPES)[number];

const BYTES_PER_ELEMENT: Record<SafetensorsDtype, number> = {
  BOOL: 1,
  U8: 1,
  I8: 1,
  F8_E5M2: 1,
  F8_E4M3: 1,
  F8_E8M0: 1,
  I16: 2,
  U16: 2,
  F16: 2,
  BF16: 2,
  I32: 4,
  U32: 4,
  F32: 4,
  C64: 8,
  F64: 8,
  I64: 8,
  U64: 8,
};

/** The reference's dtype enum, sub-byte dtypes included; its writer sorts tensors by rank in it. */
// prettier-ignore
const REFERENCE_ENUM = [
  'BOOL', 'F4', 'F6_E2M3', 'F6_E3M2', 'U8', 'I8', 'F8_E5M2', 'F8_E4M3', 'F8_E8M0',
  'I16', 'U16', 'F16', 'BF16', 'I32', 'U32', 'F32', 'C64', 'F64', 'I64', 'U64',
];
const REFERENCE_RANK: Record<string, number> = Object.fromEntries(REFERENCE_ENUM.map((name, rank) => [name, rank]));

export function isSafetensorsDtype(value: unknown): value is SafetensorsDtype {
  return typeof value === 'string' && (SAFETENSORS_DTYPES as readonly string[]).includes(value);
}

export function bytesPerElement(dtype: SafetensorsDtype): number {
  return BYTES_PER_ELEMENT[dtype];
}

/** The reference writer's order: larger alignment first, then by name (byte-wise, as Rust compares strings). */
export function compareReferenceOrder(a: { name: string; dtype: SafetensorsDtype }, b: { name: string; dtype: SafetensorsDtype }): number {
  const byDtype = REFERENCE_RANK[b.dtype] - REFERENCE_RANK[a.dtype];
  if (byDtype !== 0) return byDtype;
  return compareUtf8(a.name, b.name);
}

/** Rust's `str::cmp` compares UTF-8 bytes; comparing code points gives the same order (JS `<` compares UTF-16 units). */
export function compareUtf8(a: string, b: string): number {
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const ca = ia.next();
    const cb = ib.next();
    if (ca.done || cb.done) return ca.done ? (cb.done ? 0 : -1) : 1;
    const diff = ca.value.codePointAt(0)! - cb.value.codePointAt(0)!;
    if (diff !== 0) return diff;
  }
}
