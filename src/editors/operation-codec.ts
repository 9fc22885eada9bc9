import type { HostTensor } from '../runtime/graph/dtype';
import type { EditOperation } from './edit-operation';

/**
 * EditOperations as JSON lines (tensors as base64 float32), so that a resumed sequential run
 * re-applies the edits it already computed instead of computing them again.
 */
export function encodeOperation(op: EditOperation): unknown {
  return JSON.parse(JSON.stringify(op, (_key, value: unknown) => (isTensor(value) ? { dtype: 'float32', shape: value.shape, base64: Buffer.from((value.data as Float32Array).buffer, value.data.byteOffset, value.data.byteLength).toString('base64') } : value)));
}

export function decodeOperation(json: unknown): EditOperation {
  return JSON.parse(JSON.stringify(json), (_key, value: unknown) => {
    if (value && typeof value === 'object' && 'base64' in value && 'shape' in value) {
      const { base64, shape } = value as { base64: string; shape: number[] };
      const bytes = Buffer.from(base64, 'base64');
      const data = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
      return { dtype: 'float32', shape, data } satisfies HostTensor;
    }
    return value;
  }) as EditOperation;
}

function isTensor(value: unknown): value is HostTensor {
  return !!value && typeof value === 'object' && 'shape' in value && 'data' in value && (value as HostTensor).data instanceof Float32Array;
}
