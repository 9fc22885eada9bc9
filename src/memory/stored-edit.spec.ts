import { factScope, scopedEditOf, scopeKeysOf } from './stored-edit';

describe('a fact scope as stored', () => {
  it('keeps the subject’s aliases beside it, once each and never the subject itself, and reads them back', () => {
    const scope = factScope('Feisisar Kaimepan', 'Feisisar Kaimepan earned a degree from', 'Vaba Open University', ['Dr. Kaimepan', 'feisisar kaimepan', 'Dr. Kaimepan', ' ', 'F. Kaimepan']);
    expect(scope.aliases).toEqual(['Dr. Kaimepan', 'F. Kaimepan']);
    const keys = scopeKeysOf(scope);
    expect(keys.filter((k) => k.kind === 'alias').map((k) => k.text)).toEqual(['Dr. Kaimepan', 'F. Kaimepan']);
    expect(scopedEditOf({ id: 'e', scopeKeys: keys })).toEqual({
      id: 'e',
      text: 'Feisisar Kaimepan earned a degree from Vaba Open University',
      subjects: ['Feisisar Kaimepan'],
      aliases: ['Dr. Kaimepan', 'F. Kaimepan'],
      match: 'relation',
      object: 'Vaba Open University',
    });
  });

  it('stores no alias key for a fact without aliases or without a subject', () => {
    expect(scopeKeysOf(factScope('Ann Lee', 'Ann Lee works for', 'Acme')).some((k) => k.kind === 'alias')).toBe(false);
    expect(factScope(undefined, 'The CEO of Acme is', 'Ann Lee', ['Dr. Lee']).aliases).toBeUndefined();
  });
});
