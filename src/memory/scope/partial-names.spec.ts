import { PartialNames, personName } from './partial-names';

describe('personName', () => {
  it('reads two to four capitalised words as a person, and organisations, places and titles as not', () => {
    expect(personName('Feisisar Kaimepan')).toEqual({ full: 'feisisar kaimepan', surname: 'kaimepan', initial: 'f' });
    expect(personName('Mary-Ann de Vries')).toBeUndefined(); // "de" is lower case in a cased name
    expect(personName("Sean O'Neill")?.surname).toBe('oneill');
    expect(personName('Vaba Open University')).toBeUndefined();
    expect(personName('The Keeper of Lanterns')).toBeUndefined();
    expect(personName('Graburg')).toBeUndefined();
    expect(personName('Kaimepan Motors')).toBeUndefined();
    expect(personName('Dr Kaimepan')).toBeUndefined();
    expect(personName('Acme 2000')).toBeUndefined();
    expect(personName('jane doe')).toEqual({ full: 'jane doe', surname: 'doe', initial: 'j' }); // no case to go by
  });
});

describe('PartialNames', () => {
  const names = () => {
    const partial = new PartialNames();
    partial.add('e1', personName('Feisisar Kaimepan')!);
    partial.add('e2', personName('Feisisar Kaimepan')!);
    partial.add('e3', personName('Ruva Kinsale')!);
    return partial;
  };
  const edits = (partial: PartialNames, query: string) => Object.fromEntries(partial.match(query).edits);

  it('matches a surname alone, after a title, or after the right initial', () => {
    const partial = names();
    expect(edits(partial, 'Dr. Kaimepan earned a degree from')).toEqual({ e1: 'Dr. Kaimepan', e2: 'Dr. Kaimepan' });
    expect(edits(partial, 'F. Kaimepan earned a degree from')).toEqual({ e1: 'F. Kaimepan', e2: 'F. Kaimepan' });
    expect(edits(partial, "Where did Kaimepan study?")).toEqual({ e1: 'Kaimepan', e2: 'Kaimepan' });
    expect(edits(partial, "What is Kaimepan's mother tongue?")).toEqual({ e1: 'Kaimepan', e2: 'Kaimepan' });
    expect(edits(partial, 'prof kinsale works for')).toEqual({ e3: 'prof kinsale' });
  });

  it('leaves someone else with the surname, a wrong initial, a longer name and the full name alone', () => {
    const partial = names();
    expect(edits(partial, 'Mateo Kaimepan earned a degree from')).toEqual({});
    expect(edits(partial, 'M. Kaimepan earned a degree from')).toEqual({});
    expect(edits(partial, 'Kaimepan Motors makes')).toEqual({});
    expect(edits(partial, 'Feisisar Kaimepan earned a degree from')).toEqual({}); // the exact name is matched elsewhere
    expect(partial.match('Mateo Kaimepan studied').ambiguous).toEqual([]);
  });

  it('refuses a partial name that fits two people in memory, and not one an initial tells apart', () => {
    const partial = names();
    partial.add('e4', personName('Lina Kaimepan')!);
    expect(partial.match('Where did Dr. Kaimepan study?')).toEqual({ edits: new Map(), ambiguous: [{ mention: 'Dr. Kaimepan', people: 2 }] });
    expect(partial.match('Kaimepan studied at').ambiguous).toEqual([{ mention: 'Kaimepan', people: 2 }]);
    expect(edits(partial, 'L. Kaimepan studied at')).toEqual({ e4: 'L. Kaimepan' });
    partial.remove('e4', personName('Lina Kaimepan')!);
    expect(edits(partial, 'Dr. Kaimepan studied at')).toEqual({ e1: 'Dr. Kaimepan', e2: 'Dr. Kaimepan' });
  });
});

describe('PartialNames with apostrophes', () => {
  it("reads O'Neill in a query as the stored surname", () => {
    const partial = new PartialNames();
    partial.add('e', personName("Sean O'Neill")!);
    expect(Object.fromEntries(partial.match("Where did Mr. O'Neill's sister study?").edits)).toEqual({ e: "Mr. O'Neill" });
  });
});
