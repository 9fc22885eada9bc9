/**
 * Groups sequences into batches of similar length, each at most `positionBudget` padded positions
 * (batch size × its longest sequence; a longer sequence goes alone). A right-padded batch of
 * mixed lengths spends most of its work on padding (the world corpus's lines are 5 to 115 tokens:
 * batches of 32 in corpus order were 4× their real positions); sorted, padding is a few percent.
 * The batches hold the same sequences, so a sum over them is unchanged up to rounding.
 */
export function lengthSortedBatches(sequences: readonly number[][], positionBudget: number): number[][][] {
  if (!(positionBudget >= 1)) throw new Error(`positionBudget must be at least 1 (got ${positionBudget})`);
  const sorted = [...sequences].sort((a, b) => a.length - b.length);
  const batches: number[][][] = [];
  let batch: number[][] = [];
  for (const sequence of sorted) {
    // Sorted ascending, so this sequence is the batch's longest.
    if (batch.length && (batch.length + 1) * sequence.length > positionBudget) {
      batches.push(batch);
      batch = [];
    }
    batch.push(sequence);
  }
  if (batch.length) batches.push(batch);
  return batches;
}
