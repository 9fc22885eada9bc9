import { unstorablePath } from './storable-text';

describe('unstorablePath', () => {
  it('finds a NUL byte or a lone surrogate anywhere in a body, by path', () => {
    expect(unstorablePath({ facts: [{ subject: 'ok' }, { subject: 'a\u0000b' }] })).toBe('facts[1].subject');
    expect(unstorablePath({ subject: 'x\uD800' })).toBe('subject');
    expect(unstorablePath({ text: '\uDC00x' })).toBe('text');
    expect(unstorablePath(['fine', { 'bad\u0000key': 1 }])).toBe('body[1] (a field name)');
    expect(unstorablePath('plain \u0000')).toBe('body');
  });

  it('accepts ordinary text, paired surrogates and non-strings', () => {
    expect(unstorablePath({ subject: 'Zoë 😀 東京', n: 3, ok: true, none: null, list: [1, 'a'] })).toBeUndefined();
    expect(unstorablePath(undefined)).toBeUndefined();
  });
});
