/** A dimension: a number when static, a name ("batch", "seq") when only known at run time. */
export type Dim = number | string;
export type Shape = readonly Dim[];

export function formatShape(shape: Shape): string {
  return `[${shape.join(',')}]`;
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Static element count, or undefined when a dimension is symbolic. */
export function staticSize(shape: Shape): number | undefined {
  let size = 1;
  for (const d of shape) {
    if (typeof d !== 'number') return undefined;
    size *= d;
  }
  return size;
}

/**
 * Whether two dims can be equal at run time. Two static dims must match; a named dim may equal
 * anything (two names can denote the same length, e.g. 'total' and 'past+seq'), as in ONNX's
 * own shape inference. Run time catches the rest.
 */
export function dimsCompatible(a: Dim, b: Dim): boolean {
  return a === b || typeof a === 'string' || typeof b === 'string';
}

/** Numpy broadcasting over build-time shapes; returns undefined when the shapes cannot broadcast. */
export function broadcastShapes(...shapes: Shape[]): Dim[] | undefined {
  const rank = Math.max(...shapes.map((s) => s.length));
  const out: Dim[] = [];
  for (let i = 0; i < rank; i++) {
    let dim: Dim = 1;
    for (const shape of shapes) {
      const d = shape[shape.length - rank + i] ?? 1;
      if (d === 1) continue;
      if (dim === 1) dim = d;
      else if (!dimsCompatible(dim, d)) return undefined;
      else if (typeof dim === 'string' && typeof d === 'number') dim = d; // a static size is the better guess
    }
    out.push(dim);
  }
  return out;
}

export function normalizeAxis(axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) throw new RangeError(`axis ${axis} is out of range for rank ${rank}`);
  return a;
}
