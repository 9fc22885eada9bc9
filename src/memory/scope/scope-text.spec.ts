import { readScopeText } from './scope-text';

describe('readScopeText', () => {
  it('reads capitalised spans as entities and stems the rest', () => {
    const text = readScopeText("Who is the CEO of Bluepeak Robotics's parent, Northwind Foods?");
    expect(text.entities).toEqual(['bluepeak robotics', 'northwind foods']);
    expect(text.stems).toEqual(['who', 'ceo', 'parent']);
  });

  it('does not take a sentence-initial function word or the article of a title for an entity', () => {
    expect(readScopeText('The Silent Harbor was directed by Maria Lopez.').entities).toEqual(['silent harbor', 'maria lopez']);
    expect(readScopeText('Where was Maria Lopez born?').entities).toEqual(['maria lopez']);
  });

  it('keeps question words, which tell relations apart', () => {
    expect(readScopeText('where does she live').stems).toEqual(['where', 'live']);
    expect(readScopeText('when did it start').words).toEqual(['when', 'did', 'it', 'start']);
  });
});
