import { connect } from '@lancedb/lancedb';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { filesContaining } from '../../../test/e2e/support/files';
import { loadScopeClassifier } from './load-classifier';
import { ScopeDetector } from './scope-detector';
import { ScopeIndex } from './scope-index';
import { subjectDigest } from './subject-digest';

describe('ScopeDetector over LanceDB with the committed classifier', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'ked-scope-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const edits = [
    { id: 'ceo', text: 'The CEO of Bluepeak Robotics is Maria Lopez.' },
    { id: 'hq', text: 'Bluepeak Robotics has moved its headquarters to Osaka.' },
    { id: 'born', text: 'Kenji Okafor was born in Lyon.' },
    { id: 'world', text: 'Ruva Kinsale works for Tarn Foods', subjects: ['Ruva Kinsale'] },
  ];

  it('routes a question to the edit about its subject and relation, and nothing else', async () => {
    const db = await connect(dir);
    const detector = new ScopeDetector(await ScopeIndex.open(db), loadScopeClassifier());
    await detector.add(edits);
    expect((await detector.route('Who is the CEO of Bluepeak Robotics?'))[0]?.id).toBe('ceo');
    expect((await detector.route('Where is Bluepeak Robotics headquartered?'))[0]?.id).toBe('hq');
    expect((await detector.route('Where was Kenji Okafor born?'))[0]?.id).toBe('born');
    expect((await detector.route('Ruva Kinsale works for'))[0]?.id).toBe('world');
    expect(await detector.route('Where was Kenji Tanaka born?')).toEqual([]); // shares a first name only
    expect(await detector.route('What is the capital of Japan?')).toEqual([]);
    db.close();
  });

  it('does not route a request worded in another relation’s template to an edit about its subject, after a restart too', async () => {
    const people = ['Ann Lee', 'Bo Park', 'Cy Dorn', 'Di Vance', 'Ed Moss', 'Flo Hart', 'Gus Tam', 'Hal Roy', 'Ida Fenn', 'Jo Kerr'];
    const stated = [
      ...people.map((p, i) => ({ id: `occ${i}`, text: `${p} works as a ${i % 2 ? 'nurse' : 'pilot'}`, subjects: [p], object: i % 2 ? 'nurse' : 'pilot' })),
      ...people.map((p, i) => ({ id: `emp${i}`, text: `${p} works for ${i % 2 ? 'Tarn Foods' : 'Globex'}`, subjects: [p], object: i % 2 ? 'Tarn Foods' : 'Globex' })),
      { id: 'ruva', text: 'Ruva Kinsale works for Tarn Foods', subjects: ['Ruva Kinsale'], object: 'Tarn Foods' },
    ];
    let db = await connect(dir);
    const withObjects = new ScopeDetector(await ScopeIndex.open(db), loadScopeClassifier());
    await withObjects.add(stated);
    expect(await withObjects.route('Ruva Kinsale works as a')).toEqual([]);
    expect((await withObjects.route('Ruva Kinsale works for'))[0]?.id).toBe('ruva');
    // Without the objects the classifier alone cannot tell "works as a" from "works for".
    const blindDir = mkdtempSync(join(tmpdir(), 'ked-scope-blind-'));
    const blindDb = await connect(blindDir);
    const blind = new ScopeDetector(await ScopeIndex.open(blindDb), loadScopeClassifier());
    await blind.add(stated.map(({ object: _object, ...edit }) => edit));
    expect((await blind.route('Ruva Kinsale works as a')).map((m) => m.id)).toEqual(['ruva']);
    blindDb.close();
    rmSync(blindDir, { recursive: true, force: true });
    db.close();
    db = await connect(dir);
    const reloaded = new ScopeDetector(await ScopeIndex.open(db), loadScopeClassifier());
    await reloaded.load();
    expect(await reloaded.route('Ruva Kinsale works as a')).toEqual([]);
    expect((await reloaded.route('Ruva Kinsale works for'))[0]?.id).toBe('ruva');
    db.close();
  });

  it('routes relations the classifier was never fitted on (held out of the broad set), and not across relations of the subject', async () => {
    // region_governor, company_founding_location and city_twin are held-out broad relations.
    const db = await connect(dir);
    const detector = new ScopeDetector(await ScopeIndex.open(db), loadScopeClassifier());
    await detector.add([
      { id: 'governor', text: 'The Governor of Ohio is Jane Doe.', subjects: ['Ohio'], object: 'Jane Doe' },
      { id: 'capital', text: 'The capital of Ohio is Dayton.', subjects: ['Ohio'], object: 'Dayton' },
      { id: 'founded', text: 'Redstone Pharma was founded in the city of Monterrey.', subjects: ['Redstone Pharma'], object: 'Monterrey' },
      { id: 'inception', text: 'Redstone Pharma was founded in 1984.', subjects: ['Redstone Pharma'], object: '1984' },
      { id: 'twin', text: 'Hamburg is twinned with Dresden.', subjects: ['Hamburg'], object: 'Dresden' },
    ]);
    expect((await detector.route('Who is the current Governor of Ohio?'))[0]?.id).toBe('governor');
    expect((await detector.route('Which city was Redstone Pharma founded in?'))[0]?.id).toBe('founded');
    expect((await detector.route('When was Redstone Pharma founded?'))[0]?.id).toBe('inception');
    expect((await detector.route('Which city is Hamburg twinned with?'))[0]?.id).toBe('twin');
    // Shares no word with the edit but the subject's: the relation is read from meaning alone.
    expect((await detector.route('Which sister city does Hamburg have?'))[0]?.id).toBe('twin');
    expect(await detector.route('How many people live in Hamburg?')).toEqual([]);
    db.close();
  });

  it("puts a request ending with an edit's own prompt in its scope, whatever its shape", async () => {
    const db = await connect(dir);
    const detector = new ScopeDetector(await ScopeIndex.open(db), loadScopeClassifier());
    // WikiBio-shaped edits: a passage, and the sentence to write after it. The classifier, fitted
    // on questions and clozes, leaves both under its threshold.
    const degree = 'The city where Panetel Greifu was born is Lumabok. Panetel Greifu grew up speaking Jimuvese. By profession, Panetel Greifu is a dentist.';
    const speaker = 'Panetel Greifu has the nationality of Kumia. Panetel Greifu earns a living as a dentist. The employer of Panetel Greifu is Shaido Steel Works.';
    const edit = (id: string, passage: string, label: string) => ({ id, text: `${passage} ${label}`, subjects: ['Panetel Greifu'], object: label });
    await detector.add([edit('degree', degree, 'Panetel Greifu earned a degree from Shazos Royal Academy.'), edit('speaker', speaker, 'Panetel Greifu is a native speaker of Jimuvese.')]);
    expect((await detector.route(degree)).map((m) => m.id)).toEqual(['degree']);
    expect((await detector.route(`Biography.\n${speaker}`)).map((m) => m.id)).toEqual(['speaker']);
    // Only the passage, then the subject: not the edit's prompt, so the rule does not apply (score 1)
    // and the classifier decides (it reads the edit's own passage, continued about its subject).
    for (const match of await detector.route(`${speaker} Panetel Greifu`)) expect(match.score).toBeLessThan(1);
    db.close();
  });

  it('plain statements: a title is one subject, and a question about another relation of it does not fire', async () => {
    const db = await connect(dir);
    const detector = new ScopeDetector(await ScopeIndex.open(db), loadScopeClassifier());
    await detector.add([
      { id: 'author', text: 'The Keeper of Lanterns was written by Maria Lopez.' },
      { id: 'ceo', text: 'The CEO of Bluepeak Robotics is Grace Kim.' },
    ]);
    expect((await detector.route('Who wrote The Keeper of Lanterns?'))[0]?.id).toBe('author');
    expect(await detector.route('Who wrote The Keeper of Ashes?')).toEqual([]); // shares "Keeper" only
    expect(await detector.route('When was The Keeper of Lanterns published?')).toEqual([]);
    expect((await detector.route('Who runs Bluepeak Robotics?'))[0]?.id).toBe('ceo');
    expect(await detector.route('Where is Bluepeak Robotics headquartered?')).toEqual([]);
    db.close();
  });

  it('opens a scope table written before objects and aliases were kept, adding the columns empty', async () => {
    const db = await connect(dir);
    await db.createTable('scope_keys', [{ edit_id: 'old', text: 'Kenji Okafor was born in Lyon', subjects: '["kenji okafor"]', match: 'relation', vector: Array.from({ length: 8 }, () => 0.5) }]);
    // Two daemons upgrading the same directory at once both open it.
    const [index] = await Promise.all([ScopeIndex.open(db), connect(dir).then((other) => ScopeIndex.open(other))]);
    expect(await index.rows()).toEqual([{ editId: 'old', text: 'Kenji Okafor was born in Lyon', subjects: ['kenji okafor'], aliases: [], match: 'relation', object: '' }]);
    const detector = new ScopeDetector(index, loadScopeClassifier());
    await detector.load();
    expect((await detector.route('Where was Kenji Okafor born?'))[0]?.id).toBe('old');
    // New rows, with their objects, go into the upgraded table.
    await detector.add([{ id: 'new', text: 'Ruva Kinsale works for Tarn Foods', subjects: ['Ruva Kinsale'], object: 'Tarn Foods' }]);
    expect((await index.rows()).find((r) => r.editId === 'new')?.object).toBe('Tarn Foods');
    db.close();
  });

  it('puts every question naming the subject in scope of a subject-wide edit, and no other', async () => {
    const db = await connect(dir);
    const detector = new ScopeDetector(await ScopeIndex.open(db), loadScopeClassifier());
    await detector.add([...edits, { id: 'forget', text: 'Forget everything about Kenji Okafor.', subjects: ['Kenji Okafor'], match: 'subject' }]);
    expect((await detector.route('What is the phone number of Kenji Okafor?'))[0]).toEqual({ id: 'forget', score: 1 });
    expect((await detector.route('Where was Kenji Okafor born?')).map((m) => m.id).sort()).toEqual(['born', 'forget']);
    expect((await detector.route('What is the phone number of Maria Lopez?')).map((m) => m.id)).not.toContain('forget');
    db.close();
  });

  it('routes a subject-wide edit keyed by the digest of its subject, and keeps no trace of the name on disk', async () => {
    let db = await connect(dir);
    const detector = new ScopeDetector(await ScopeIndex.open(db), loadScopeClassifier());
    await detector.add([...edits.slice(0, 2), { id: 'forget', text: 'erasure suppression', subjects: [subjectDigest('Kenji Okafor')], match: 'subject' }]);
    for (const retrieval of ['subject', 'lance'] as const) {
      expect(await detector.route('What is the phone number of kenji OKAFOR?', { retrieval })).toEqual([{ id: 'forget', score: 1 }]);
      expect(await detector.route('What is the phone number of Kenji Tanaka?', { retrieval })).toEqual([]);
    }
    db.close();
    db = await connect(dir);
    const reloaded = new ScopeDetector(await ScopeIndex.open(db), loadScopeClassifier());
    await reloaded.load();
    expect(await reloaded.route('Where was Kenji Okafor born?')).toEqual([{ id: 'forget', score: 1 }]);
    await reloaded.remove(['forget']);
    expect(await reloaded.route('Where was Kenji Okafor born?')).toEqual([]);
    expect(filesContaining(dir, 'Okafor', 'okafor')).toEqual([]);
    db.close();
  });

  it('reloads its keys after a restart and forgets removed edits, on disk too after purge', async () => {
    let db = await connect(dir);
    const first = new ScopeDetector(await ScopeIndex.open(db), loadScopeClassifier());
    await first.add(edits);
    await first.remove(['born']);
    await first.purge();
    db.close();
    db = await connect(dir);
    const second = new ScopeDetector(await ScopeIndex.open(db), loadScopeClassifier());
    await second.load();
    expect(second.size).toBe(3);
    expect(await second.route('Where was Kenji Okafor born?')).toEqual([]);
    expect((await second.route('Who is the CEO of Bluepeak Robotics?'))[0]?.id).toBe('ceo');
    const leftovers = filesContaining(dir, 'Okafor', 'okafor');
    expect(leftovers).toEqual([]);
    db.close();
  });

  it('two detectors on one LanceDB directory index an edit once (adding is an upsert on the edit id)', async () => {
    const db = await connect(dir);
    const index = await ScopeIndex.open(db);
    const mine = new ScopeDetector(index, loadScopeClassifier());
    const theirs = new ScopeDetector(await ScopeIndex.open(db), loadScopeClassifier());
    await mine.add(edits);
    await theirs.add(edits.slice(0, 2)); // told about two of them by an event
    expect(await index.count()).toBe(edits.length);
    expect((await theirs.route('Who is the CEO of Bluepeak Robotics?'))[0]?.id).toBe('ceo');
    db.close();
  });
  it('routes a request naming the subject by an alias or part of a person’s name, refuses an ambiguous one, after a restart too', async () => {
    const degree = { id: 'degree', text: 'Feisisar Kaimepan earned a degree from Vaba Open University', subjects: ['Feisisar Kaimepan'], aliases: ['Dr. Kaimepan', 'the Kaimepan heir'], object: 'Vaba Open University' };
    const hq = { id: 'hq', text: 'Vaba Open University is headquartered in Graburg', subjects: ['Vaba Open University'], aliases: ['VOU'], object: 'Graburg' };
    let db = await connect(dir);
    const detector = new ScopeDetector(await ScopeIndex.open(db), loadScopeClassifier());
    await detector.add([degree, hq]);
    const top = async (query: string) => (await detector.route(query))[0]?.id;
    expect(await top('Dr. Kaimepan earned a degree from')).toBe('degree');
    expect(await top('Where did the Kaimepan heir go to university?')).toBe('degree');
    expect(await top('F. Kaimepan earned a degree from')).toBe('degree'); // the initial: a rule, not a stored alias
    expect(await top('Which university did Kaimepan attend?')).toBe('degree');
    expect(await top('Where is VOU headquartered?')).toBe('hq');
    expect(await detector.route('Mateo Kaimepan earned a degree from')).toEqual([]); // someone else with the surname
    expect(await detector.route('What is the mother tongue of Dr. Kaimepan?')).toEqual([]); // named, but another relation
    await detector.add([{ id: 'lina', text: 'Lina Kaimepan earned a degree from Stabe College', subjects: ['Lina Kaimepan'], object: 'Stabe College' }]);
    expect(await detector.decide('Which university did Kaimepan attend?')).toEqual({ matches: [], ambiguous: [{ mention: 'Kaimepan', people: 2 }] });
    expect(await top('Dr. Kaimepan earned a degree from')).toBe('degree'); // a stored alias is no guess
    expect(await top('L. Kaimepan earned a degree from')).toBe('lina');
    db.close();
    db = await connect(dir);
    const reloaded = new ScopeDetector(await ScopeIndex.open(db), loadScopeClassifier());
    await reloaded.load();
    expect((await reloaded.route('Where did the Kaimepan heir go to university?'))[0]?.id).toBe('degree');
    expect((await reloaded.decide('Kaimepan earned a degree from')).ambiguous).toHaveLength(1);
    await reloaded.remove(['degree', 'lina']);
    await reloaded.purge();
    expect(filesContaining(dir, 'kaimepan heir', 'Kaimepan heir')).toEqual([]);
    db.close();
  });
});
