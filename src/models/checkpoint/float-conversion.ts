/**
 * Half-precision (IEEE binary16) and bfloat16 to and from float32, bit-exact: decoding is exact
 * for every input, encoding rounds to nearest, ties to even, overflowing to infinity as IEEE does.
 * NaN payloads survive a decode→encode round trip, so re-encoding a loaded F16/BF16 checkpoint
 * reproduces its bytes.
 */

let f16TableBits: Uint32Array | undefined;

/** The float32 value of one binary16 bit pattern. */
export function f16BitsToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >>> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24; // zero and subnormals
  if (exponent === 0x1f) return mantissa === 0 ? sign * Infinity : NaN;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

/**
 * All 65536 binary16 values as float32 bit patterns, built once: decoding is then one lookup per
 * element. Bits, not numbers, are copied, since passing a NaN through a JS number may quiet it.
 */
function f16DecodeTable(): Uint32Array {
  if (!f16TableBits) {
    const table = new Float32Array(65536);
    const tableBits = new Uint32Array(table.buffer);
    for (let bits = 0; bits < 65536; bits++) {
      const exponent = (bits >>> 10) & 0x1f;
      const mantissa = bits & 0x3ff;
      if (exponent === 0x1f && mantissa !== 0) {
        // Keep the payload (and the sign) so that encoding gives the same pattern back.
        tableBits[bits] = ((bits & 0x8000) << 16) | 0x7f800000 | (mantissa << 13);
      } else {
        table[bits] = f16BitsToNumber(bits);
      }
    }
    f16TableBits = tableBits;
  }
  return f16TableBits;
}

export function decodeF16(src: Uint16Array, out = new Float32Array(src.length)): Float32Array {
  const table = f16DecodeTable();
  const outBits = new Uint32Array(out.buffer, out.byteOffset, out.length);
  for (let i = 0; i < src.length; i++) outBits[i] = table[src[i]];
  return out;
}

/** bfloat16 is the upper half of a float32, so decoding is a shift (exact, payloads included). */
export function decodeBF16(src: Uint16Array, out = new Float32Array(src.length)): Float32Array {
  const outBits = new Uint32Array(out.buffer, out.byteOffset, out.length);
  for (let i = 0; i < src.length; i++) outBits[i] = src[i] << 16;
  return out;
}

export function decodeF64(src: Float64Array, out = new Float32Array(src.length)): Float32Array {
  out.set(src); // Float32Array assignment rounds to nearest even, like a C cast
  return out;
}

/** binary16 bits of the float32 whose bit pattern is `bits`. */
export function f32BitsToF16Bits(bits: number): number {
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  const mantissa = bits & 0x7fffff;
  if (exponent === 0xff) {
    if (mantissa === 0) return sign | 0x7c00;
    const payload = mantissa >>> 13;
    return sign | 0x7c00 | (payload === 0 ? 0x200 : payload); // stay NaN (quiet) if the payload was in the low bits
  }
  const halfExponent = exponent - 127 + 15;
  if (halfExponent >= 0x1f) return sign | 0x7c00;
  if (halfExponent >= 1) {
    // Normal: keep 10 mantissa bits, round the 13 dropped ones; a carry may roll into the exponent (even to infinity).
    const kept = (halfExponent << 10) | (mantissa >>> 13);
    const dropped = mantissa & 0x1fff;
    return sign | (kept + roundUp(dropped, 0x1000, kept));
  }
  if (halfExponent < -10) return sign; // below half the smallest subnormal: rounds to zero
  // Subnormal: the significand with its implicit bit, in units of 2^-24.
  const significand = mantissa | 0x800000;
  const shift = 14 - halfExponent;
  const kept = significand >>> shift;
  const dropped = significand & ((1 << shift) - 1);
  return sign | (kept + roundUp(dropped, 1 << (shift - 1), kept));
}

/** bfloat16 bits of the float32 whose bit pattern is `bits`. */
export function f32BitsToBF16Bits(bits: number): number {
  const upper = bits >>> 16;
  if ((bits & 0x7f800000) === 0x7f800000 && (bits & 0x7fffff) !== 0) {
    return (upper & 0x7f) === 0 ? upper | 0x40 : upper; // NaN stays NaN
  }
  return (upper + roundUp(bits & 0xffff, 0x8000, upper)) & 0xffff;
}

function roundUp(dropped: number, half: number, kept: number): number {
  return dropped > half || (dropped === half && (kept & 1) === 1) ? 1 : 0;
}

export function encodeF16(src: Float32Array, out = new Uint16Array(src.length)): Uint16Array {
  const srcBits = new Uint32Array(src.buffer, src.byteOffset, src.length);
  for (let i = 0; i < src.length; i++) out[i] = f32BitsToF16Bits(srcBits[i]);
  return out;
}

export function encodeBF16(src: Float32Array, out = new Uint16Array(src.length)): Uint16Array {
  const srcBits = new Uint32Array(src.buffer, src.byteOffset, src.length);
  for (let i = 0; i < src.length; i++) out[i] = f32BitsToBF16Bits(srcBits[i]);
  return out;
}
