import { mulberry32 } from '../../runtime/random';
import { decodeBF16, decodeF16, decodeF64, encodeBF16, encodeF16, f16BitsToNumber, f32BitsToBF16Bits, f32BitsToF16Bits } from './float-conversion';

const f16 = (...bits: number[]) => [...decodeF16(Uint16Array.from(bits))];
const bf16 = (...bits: number[]) => [...decodeBF16(Uint16Array.from(bits))];
const toF16 = (...values: number[]) => [...encodeF16(Float32Array.from(values))];
const toBF16 = (...values: number[]) => [...encodeBF16(Float32Array.from(values))];
const f32Bits = (value: number) => new Uint32Array(Float32Array.of(value).buffer)[0];

describe('float16 decoding', () => {
  it('decodes hand-computed values', () => {
    // 1.0 = 0 01111 0000000000; -2.5 = 1 10000 0100000000; 65504 = 0 11110 1111111111 (largest finite)
    expect(f16(0x3c00, 0xc100, 0x7bff)).toEqual([1, -2.5, 65504]);
    // Smallest subnormal 2^-24, largest subnormal (1023/1024)·2^-14, smallest normal 2^-14.
    expect(f16(0x0001, 0x03ff, 0x0400)).toEqual([2 ** -24, (1023 / 1024) * 2 ** -14, 2 ** -14]);
    expect(f16(0x7c00, 0xfc00)).toEqual([Infinity, -Infinity]);
    expect(Object.is(f16(0x8000)[0], -0)).toBe(true);
    expect(f16(0x7e00, 0x7c01, 0xfe00).every(Number.isNaN)).toBe(true);
  });

  it('decodes every bit pattern exactly (re-encoding gives the same bits, NaN payloads included)', () => {
    const all = Uint16Array.from({ length: 65536 }, (_, i) => i);
    expect(encodeF16(decodeF16(all))).toEqual(all);
  });
});

describe('bfloat16 decoding', () => {
  it('decodes hand-computed values', () => {
    // bfloat16 is the top half of a float32: 1.0 = 0x3f80, -2.5 = 0xc020.
    expect(bf16(0x3f80, 0xc020, 0x7f7f)).toEqual([1, -2.5, 3.3895313892515355e38]);
    expect(bf16(0x0001)).toEqual([2 ** -133]); // smallest subnormal
    expect(bf16(0x7f80, 0xff80)).toEqual([Infinity, -Infinity]);
    expect(Number.isNaN(bf16(0x7fc0)[0])).toBe(true);
  });

  it('decodes every bit pattern exactly', () => {
    const all = Uint16Array.from({ length: 65536 }, (_, i) => i);
    expect(encodeBF16(decodeBF16(all))).toEqual(all);
  });
});

describe('float32 → float16 (round to nearest, ties to even)', () => {
  it('rounds ties to the even neighbour', () => {
    const ulp = 2 ** -10; // at 1.0
    expect(toF16(1 + ulp / 2)).toEqual([0x3c00]); // tie between 1 (even) and 1+ulp
    expect(toF16(1 + (3 * ulp) / 2)).toEqual([0x3c02]); // tie between 1+ulp and 1+2ulp (even)
    expect(toF16(1 + ulp / 2 + 2 ** -20)).toEqual([0x3c01]); // just above the tie
  });

  it('overflows to infinity past the halfway point above 65504', () => {
    expect(toF16(65504, 65519, 65520, -65520, 1e10)).toEqual([0x7bff, 0x7bff, 0x7c00, 0xfc00, 0x7c00]);
  });

  it('rounds into and out of the subnormals', () => {
    expect(toF16(2 ** -24, 2 ** -25, 2 ** -25 * 1.0001, 3 * 2 ** -25, 2 ** -14 - 2 ** -25)).toEqual([0x0001, 0x0000, 0x0001, 0x0002, 0x0400]);
    expect(toF16(1e-30, -1e-30)).toEqual([0x0000, 0x8000]); // float32 values far below half the smallest subnormal
  });

  it('picks the nearest float16 (the even one on ties) for random float32 values', () => {
    const random = mulberry32(7);
    const values = Float32Array.from({ length: 20000 }, (_, i) => (random() - 0.5) * 2 ** ((i % 44) - 28));
    const encoded = encodeF16(values);
    const wrong: number[] = [];
    for (let i = 0; i < values.length; i++) {
      const x = Math.abs(values[i]);
      const bits = encoded[i] & 0x7fff;
      const best = Math.abs(f16BitsToNumber(bits) - x);
      for (const neighbour of [bits - 1, bits + 1]) {
        if (neighbour < 0 || neighbour > 0x7c00) continue;
        const other = Math.abs(f16BitsToNumber(neighbour) - x);
        if (other < best || (other === best && (bits & 1) === 1)) wrong.push(values[i]);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('keeps infinities, NaN and signed zero', () => {
    expect(toF16(Infinity, -Infinity, -0, 0)).toEqual([0x7c00, 0xfc00, 0x8000, 0x0000]);
    expect(f32BitsToF16Bits(0x7fc00000)).toBe(0x7e00);
    expect(f32BitsToF16Bits(0x7f800001) & 0x3ff).not.toBe(0); // a payload only in the dropped bits stays NaN
  });
});

describe('float32 → bfloat16 (round to nearest, ties to even)', () => {
  it('rounds ties to even and overflows to infinity', () => {
    expect(toBF16(1 + 2 ** -8, 1 + 3 * 2 ** -8, 1 + 2 ** -8 + 2 ** -20)).toEqual([0x3f80, 0x3f82, 0x3f81]);
    expect(f32BitsToBF16Bits(0x7f7fffff)).toBe(0x7f80); // the largest float32 rounds up to infinity
    expect(toBF16(-2.5, Infinity, -0)).toEqual([0xc020, 0x7f80, 0x8000]);
    expect(f32BitsToBF16Bits(0x7f800001)).toBe(0x7fc0);
    expect(f32BitsToBF16Bits(f32Bits(NaN))).toBe(0x7fc0);
  });
});

describe('float64 → float32', () => {
  it('rounds to nearest', () => {
    expect([...decodeF64(Float64Array.of(0.1, 1e300, -1e-300))]).toEqual([Math.fround(0.1), Infinity, -0]);
  });
});
