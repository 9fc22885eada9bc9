import { answerEnd, cutAnswer } from './answer-stop';

describe('where a generated answer stops', () => {
  it('ends at the first sentence end, and at a final period once generation is over', () => {
    expect(cutAnswer(' Vaba Open University. She studied law.')).toBe('Vaba Open University');
    expect(cutAnswer(' Vaba Open University.')).toBe('Vaba Open University');
    expect(cutAnswer(' Graburg! It is')).toBe('Graburg');
    expect(cutAnswer(' the city of Graburg, which is')).toBe('the city of Graburg, which is'); // the length cap cut it
  });

  it('does not stop at titles, initials, dotted abbreviations or decimals', () => {
    expect(cutAnswer(' Dr. Kaimepan studied in Graburg. Then')).toBe('Dr. Kaimepan studied in Graburg');
    expect(cutAnswer(' F. Kaimepan. Then')).toBe('F. Kaimepan');
    expect(cutAnswer(' the U.S. Navy. Later')).toBe('the U.S. Navy');
    expect(cutAnswer(' 3.5 million people. Then')).toBe('3.5 million people');
    expect(cutAnswer(' approx. five. Then')).toBe('approx. five');
  });

  it('ends at a line break once the answer has begun', () => {
    expect(cutAnswer(' Botese\nThe mother tongue')).toBe('Botese');
    expect(cutAnswer('\n\nBotese\nmore')).toBe('Botese');
    expect(cutAnswer(' Botese.\nMore')).toBe('Botese');
  });

  it('waits while a period may still be an abbreviation, so generation goes on', () => {
    expect(answerEnd(' Dr.', false)).toBeUndefined();
    expect(answerEnd(' Dr. ', false)).toBeUndefined();
    expect(answerEnd(' Dr. Kaimepan', false)).toBeUndefined();
    expect(answerEnd(' Graburg. ', false)).toBeUndefined(); // the next word could be lower-case
    expect(answerEnd(' Graburg. It', false)).toBe(8);
    expect(answerEnd(' Graburg.\n', false)).toBe(8);
    expect(answerEnd(' 3.', false)).toBeUndefined();
    expect(answerEnd(' ', true)).toBeUndefined();
  });
});
