import { hostTensor } from '../../runtime/graph/dtype';
import { fromHostTensor, toFloat32, toHostTensor } from './tensor-data';

describe('host tensors ⇄ raw safetensors tensors', () => {
  it('stores float32 as F32 without copying, or narrowed to F16 / BF16', () => {
    const host = hostTensor('float32', [2, 2], [1, -2.5, 65504, 0.1]);
    const f32 = fromHostTensor(host);
    expect(f32.dtype).toBe('F32');
    expect(f32.bytes.buffer).toBe(host.data.buffer);
    expect([...toFloat32(fromHostTensor(host, 'F16'), 'w')]).toEqual([1, -2.5, 65504, 0.0999755859375]);
    expect([...toFloat32(fromHostTensor(host, 'BF16'), 'w')]).toEqual([1, -2.5, 65536, 0.10009765625]);
  });

  it('keeps integer and boolean tensors as they are', () => {
    const ids = hostTensor('int64', [3], [1, 2, 3]);
    expect(toHostTensor(fromHostTensor(ids), 'ids')).toEqual(ids);
    const mask = hostTensor('bool', [2], [1, 0]);
    expect(fromHostTensor(mask, 'U8')).toMatchObject({ dtype: 'U8', shape: [2] });
    expect(toHostTensor(fromHostTensor(mask), 'mask')).toEqual(mask);
    expect(fromHostTensor(hostTensor('float64', [1], [0.1]), 'F32').bytes.length).toBe(4);
  });

  it('refuses conversions that would lose the type', () => {
    expect(() => fromHostTensor(hostTensor('int32', [1], [1]), 'F32')).toThrow('cannot store int32 data as F32');
  });
});
