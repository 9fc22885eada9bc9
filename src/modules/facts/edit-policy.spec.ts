import { isModification, methodsFor, wantsMemoryRecord, type EditPolicy } from './edit-policy';

const policy: EditPolicy = { modification: ['rome', 'ft-m'], insertion: ['melo', 'ice'], memoryRelations: ['citizen_of', 'capital_of'], memoryMethod: 'mello' };

describe('the edit policy', () => {
  it('tells a modification (it names the old answer) from an insertion', () => {
    expect(isModification({ groundTruth: 'Paris' })).toBe(true);
    expect(isModification({ groundTruth: [['Paris', 'Paname']] })).toBe(true);
    expect(isModification({ groundTruth: null })).toBe(false);
    expect(isModification({ groundTruth: '  ' })).toBe(false);
    expect(isModification({ groundTruth: [] })).toBe(false);
  });

  it('tries the methods of the fact’s kind', () => {
    expect(methodsFor(policy, { groundTruth: 'Paris' })).toEqual(['rome', 'ft-m']);
    expect(methodsFor(policy, { groundTruth: null })).toEqual(['melo', 'ice']);
  });

  it('adds a memory record for facts of multi-hop relations, unless the memory method made the edit', () => {
    expect(wantsMemoryRecord(policy, { relation: 'citizen_of' }, 'rome')).toBe(true);
    expect(wantsMemoryRecord(policy, { relation: 'citizen_of' }, 'mello')).toBe(false);
    expect(wantsMemoryRecord(policy, { relation: 'employer' }, 'rome')).toBe(false);
    expect(wantsMemoryRecord(policy, { relation: null }, 'rome')).toBe(false);
  });
});
