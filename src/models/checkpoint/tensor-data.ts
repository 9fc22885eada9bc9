/**
 * Between raw safetensors tensors (bytes + dtype) and typed arrays / host tensors: views where
 * the bytes are aligned for the element type, copies only where they are not.
 */
import type { HostTensor } from '../../runtime/graph/dtype';
import { decodeBF16, decodeF16, decodeF64, encodeBF16, encodeF16 } from './float-conversion';
import type { RawTensor } from './safetensors';
import type { SafetensorsDtype } from './safetensors-dtype';

/** safetensors is little-endian; typed arrays use the host's order. */
const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

type TypedArrayConstructor<T> = { new (buffer: ArrayBuffer, byteOffset: number, length: number): T; BYTES_PER_ELEMENT: number };

/** A typed view of `bytes`, or of an aligned copy when `bytes` does not start on an element boundary. */
export function alignedView<T>(bytes: Uint8Array, Type: TypedArrayConstructor<T>): T {
  if (!HOST_IS_LITTLE_ENDIAN && Type.BYTES_PER_ELEMENT > 1) throw new Error('safetensors: big-endian hosts are not supported');
  const source = bytes.byteOffset % Type.BYTES_PER_ELEMENT === 0 ? bytes : bytes.slice();
  return new Type(source.buffer as ArrayBuffer, source.byteOffset, source.byteLength / Type.BYTES_PER_ELEMENT);
}

export function byteView(data: ArrayBufferView): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/**
 * The tensor as float32: a view for F32 (no copy when aligned), an exact conversion for F16 and
 * BF16, a rounding one for F64. Other dtypes are not weights and are refused.
 */
export function toFloat32(tensor: RawTensor, name: string): Float32Array {
  switch (tensor.dtype) {
    case 'F32':
      return alignedView(tensor.bytes, Float32Array);
    case 'F16':
      return decodeF16(alignedView(tensor.bytes, Uint16Array));
    case 'BF16':
      return decodeBF16(alignedView(tensor.bytes, Uint16Array));
    case 'F64':
      return decodeF64(alignedView(tensor.bytes, Float64Array));
    default:
      throw new Error(`tensor "${name}" has dtype ${tensor.dtype}, which cannot be read as float32 weights`);
  }
}

/** Float32 data as F32 (a view, no copy), F16 or BF16 (rounded to nearest even), or F64 (exact). */
export function encodeFloat32(data: Float32Array, shape: number[], dtype: 'F32' | 'F16' | 'BF16' | 'F64'): RawTensor {
  switch (dtype) {
    case 'F32':
      return { dtype, shape, bytes: byteView(data) };
    case 'F16':
      return { dtype, shape, bytes: byteView(encodeF16(data)) };
    case 'BF16':
      return { dtype, shape, bytes: byteView(encodeBF16(data)) };
    case 'F64':
      return { dtype, shape, bytes: byteView(Float64Array.from(data)) };
  }
}

/** A raw tensor as a host tensor: floats become float32; I64, I32 and BOOL keep their type (views). */
export function toHostTensor(tensor: RawTensor, name: string): HostTensor {
  const shape = [...tensor.shape];
  switch (tensor.dtype) {
    case 'I64':
      return { dtype: 'int64', shape, data: alignedView(tensor.bytes, BigInt64Array) };
    case 'I32':
      return { dtype: 'int32', shape, data: alignedView(tensor.bytes, Int32Array) };
    case 'BOOL':
      return { dtype: 'bool', shape, data: tensor.bytes };
    default:
      return { dtype: 'float32', shape, data: toFloat32(tensor, name) };
  }
}

/** A host tensor as a raw tensor of `dtype` (default: its own type); float32 may narrow to F16/BF16. */
export function fromHostTensor(host: HostTensor, dtype?: SafetensorsDtype): RawTensor {
  const shape = [...host.shape];
  const natural: Record<HostTensor['dtype'], SafetensorsDtype> = { float32: 'F32', float64: 'F64', int64: 'I64', int32: 'I32', bool: 'BOOL' };
  const target = dtype ?? natural[host.dtype];
  if (host.dtype === 'float32' && (target === 'F32' || target === 'F16' || target === 'BF16' || target === 'F64')) {
    return encodeFloat32(host.data as Float32Array, shape, target);
  }
  if (host.dtype === 'float64' && target === 'F32') return { dtype: target, shape, bytes: byteView(Float32Array.from(host.data as Float64Array)) };
  if (target !== natural[host.dtype] && !(host.dtype === 'bool' && target === 'U8')) {
    throw new Error(`cannot store ${host.dtype} data as ${target}`);
  }
  return { dtype: target, shape, bytes: byteView(host.data) };
}
