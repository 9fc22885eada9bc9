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

  it('keeps titles and names with lower-case words whole', () => {
    expect(readScopeText('The Keeper of Lanterns was written by Maria Lopez.').entities).toEqual(['keeper of lanterns', 'maria lopez']);
    expect(readScopeText('Who painted Girl with a Lantern?').entities).toEqual(['girl with a lantern']);
    expect(readScopeText('Where is the University of Halden?').entities).toEqual(['university of halden']);
    // Not across a verb or a lower-case word: "the" before "capital" is no part of a name.
    expect(readScopeText('Is Oslo the capital of Norway?').entities).toEqual(['oslo', 'norway']);
  });

  it('takes a role heading "<Role> of <Name>" for a word about the name, and marks a common opening word', () => {
    const governor = readScopeText('The Governor of Ohio is Jane Doe.');
    expect(governor.entities).toEqual(['ohio', 'jane doe']);
    expect(governor.stems).toContain('governor');
    expect(readScopeText('Traffic in South Korea keeps to the right.').commonOpening).toBe('traffic');
    expect(readScopeText('Apple has hired Tim Cook.').commonOpening).toBeUndefined();
    expect(readScopeText('Paris is the capital of France.').commonOpening).toBeUndefined();
  });

  it('keeps question words, which tell relations apart', () => {
    expect(readScopeText('where does she live').stems).toEqual(['where', 'live']);
    expect(readScopeText('when did it start').words).toEqual(['when', 'did', 'it', 'start']);
  });

  it('reads a question in the "Q: … A:" prompt format as the question, not its markers', () => {
    const read = readScopeText('Q: Who governs Silia? A:');
    expect(read.entities).toEqual(['silia']);
    expect(read.words).toEqual(['who', 'governs']);
    expect(read.question).toBe(true);
    expect(readScopeText('Question: When was Acme founded? Answer:').words).toEqual(['when', 'was', 'founded']);
    // Only the frame is read away: a Q inside the text stays.
    expect(readScopeText('Q: Who owns Q Systems? A:').entities).toEqual(['q systems']);
  });
});
