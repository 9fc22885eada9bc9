import { onnx } from 'onnx-proto';

/** Element types the runtime builds graphs with (ONNX names, as onnxruntime-node spells them). */
export type DType = 'float32' | 'float64' | 'int64' | 'int32' | 'bool';

export type TypedArrayOf<D extends DType> = D extends 'float32'
  ? Float32Array
  : D extends 'float64'
    ? Float64Array
    : D extends 'int64'
      ? BigInt64Array
      : D extends 'int32'
        ? Int32Array
        : Uint8Array;

export type AnyTypedArray = Float32Array | Float64Array | BigInt64Array | Int32Array | Uint8Array;

export const ONNX_DTYPE: Record<DType, number> = {
  float32: onnx.TensorProto.DataType.FLOAT,
  float64: onnx.TensorProto.DataType.DOUBLE,
  int64: onnx.TensorProto.DataType.INT64,
  int32: onnx.TensorProto.DataType.INT32,
  bool: onnx.TensorProto.DataType.BOOL,
};

export function isFloat(dtype: DType): boolean {
  return dtype === 'float32' || dtype === 'float64';
}

export function allocate(dtype: DType, size: number): AnyTypedArray {
  switch (dtype) {
    case 'float32':
      return new Float32Array(size);
    case 'float64':
      return new Float64Array(size);
    case 'int64':
      return new BigInt64Array(size);
    case 'int32':
      return new Int32Array(size);
    case 'bool':
      return new Uint8Array(size);
  }
}

/** Tensor data on the host: what goes into and comes out of a session. */
export interface HostTensor {
  dtype: DType;
  shape: number[];
  data: AnyTypedArray;
}

export function hostTensor(dtype: DType, shape: number[], values?: ArrayLike<number> | ArrayLike<bigint>): HostTensor {
  const size = shape.reduce((a, b) => a * b, 1);
  const data = allocate(dtype, size);
  if (values) {
    if (values.length !== size) throw new Error(`hostTensor: ${values.length} values for shape [${shape}]`);
    for (let i = 0; i < size; i++) {
      (data as unknown as Array<number | bigint>)[i] = dtype === 'int64' ? BigInt(values[i]) : Number(values[i]);
    }
  }
  return { dtype, shape, data };
}
