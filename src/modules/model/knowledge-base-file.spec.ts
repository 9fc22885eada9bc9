import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../package-root';
import { knowledgeBaseFromFile } from './knowledge-base-file';

describe('knowledgeBaseFromFile', () => {
  it("reads the fixture world's knowledge-base.json and describes a question's key entity", () => {
    const kb = knowledgeBaseFromFile(join(packageRoot(), 'data', 'world', 'knowledge-base.json'));
    // world-mquake case 1's subject.
    expect(kb.describeQuestionEntity('Where was the author of Feather of Mountain born?')).toBe('Feather of Mountain, a written work');
    expect(kb.describeQuestionEntity('What is the capital of nowhere?')).toBeUndefined();
  });

  it('says which field of a file that is not an entity list is wrong', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ked-kb-'));
    try {
      const file = join(dir, 'kb.json');
      writeFileSync(file, JSON.stringify({ entities: [{ name: 'Oak', type: 'tree' }] }));
      expect(() => knowledgeBaseFromFile(file)).toThrow('"entities[0].type"');
      writeFileSync(file, JSON.stringify({ entities: [{ name: 'Oak', type: 'work' }] }));
      expect(knowledgeBaseFromFile(file).describeQuestionEntity('Who wrote Oak?')).toBe('Oak, a written work');
      writeFileSync(file, JSON.stringify({ entities: [{ name: 'Oak', type: 'work', id: 'w1' }] }));
      expect(knowledgeBaseFromFile(file).describeQuestionEntity('Who wrote Oak?')).toBe('Oak, a written work');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a ked world.json, naming the file `ked world generate` writes beside it', () => {
    expect(() => knowledgeBaseFromFile(join(packageRoot(), 'data', 'world', 'world.json'))).toThrow(/unknown fields .*"seed".*knowledge-base\.json that `ked world generate` writes beside its world\.json/);
  });
});
