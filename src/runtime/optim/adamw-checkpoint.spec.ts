import { AdamW } from './adamw';
import { adamWStateFromTensors, adamWStateToTensors } from './adamw-checkpoint';

describe('AdamW state checkpoint form', () => {
  const trained = () => {
    const opt = new AdamW(new Map([['layers.0/w', Float32Array.from([1, 2, 3])], ['b', Float32Array.from([0])]]));
    opt.step(new Map([['layers.0/w', Float32Array.from([0.5, -1, 2])]]));
    return opt.state();
  };

  it('names one float32 tensor per moment and keeps the rest in a JSON-able header', () => {
    const { tensors, header } = adamWStateToTensors(trained());
    expect(Object.keys(tensors).sort()).toEqual([
      'adamw/exp_avg/b',
      'adamw/exp_avg/layers.0/w',
      'adamw/exp_avg_sq/b',
      'adamw/exp_avg_sq/layers.0/w',
    ]);
    expect(JSON.parse(JSON.stringify(header))).toEqual({
      format: 'ked.adamw',
      version: 1,
      step: 1,
      params: [
        { name: 'layers.0/w', step: 1, length: 3 },
        { name: 'b', step: 0, length: 1 },
      ],
    });
  });

  it('round-trips, accepting the header as a JSON string', () => {
    const state = trained();
    const { tensors, header } = adamWStateToTensors(state);
    const back = adamWStateFromTensors(tensors, JSON.stringify(header));
    expect(back.step).toBe(1);
    expect([...back.params.keys()]).toEqual(['layers.0/w', 'b']);
    expect(back.params.get('layers.0/w')).toEqual(state.params.get('layers.0/w'));
  });

  it('says what is wrong with a damaged checkpoint', () => {
    const { tensors, header } = adamWStateToTensors(trained());
    expect(() => adamWStateFromTensors(tensors, { ...header, format: 'other' })).toThrow('ked.adamw version 1');
    expect(() => adamWStateFromTensors(tensors, { ...header, step: -1 })).toThrow('step must be an integer >= 0');
    const { ['adamw/exp_avg_sq/b']: _dropped, ...missing } = tensors;
    expect(() => adamWStateFromTensors(missing, header)).toThrow('missing float32 tensor adamw/exp_avg_sq/b');
    const bad = { ...header, params: [{ name: 'b', step: 0, length: 2 }] };
    expect(() => adamWStateFromTensors(tensors, bad)).toThrow('has length 1, header says 2');
  });
});
