import { PARAPHRASES } from './paraphrases';
import { paraphraseList, templateList, type TemplateSet } from './template-set';
import type { Relation, RelationKind, SlotType } from './types';

/**
 * Every relation of the world with its templates: five train and one held-out cloze, three
 * train and one held-out question each. The object always ends the sentence, so a probe is
 * prompt + " " + object.
 */
function relation(id: string, kind: RelationKind, subjectType: SlotType, objectType: SlotType, attribute: string, set: TemplateSet, inverseOf?: string): Relation {
  return { id, kind, subjectType, objectType, attribute, templates: templateList(set), paraphrases: paraphraseList(PARAPHRASES[id]), ...(inverseOf ? { inverseOf } : {}) };
}

const PUBLIC: Relation[] = [
  relation('born_in', 'public', 'person', 'city', 'the birthplace', {
    cloze: ['{s} was born in', 'The birthplace of {s} is', 'The city of birth of {s} is', "{s}'s place of birth is", 'The city where {s} was born is'],
    clozeHeldOut: ['The city {s} was born in is'],
    question: ['In which city was {s} born', 'Where was {s} born', 'What is the birthplace of {s}'],
    questionHeldOut: ['What city was {s} born in'],
  }),
  relation('citizen_of', 'public', 'person', 'country', 'the citizenship', {
    cloze: ['{s} is a citizen of', '{s} holds citizenship of', 'The country of citizenship of {s} is', '{s} has the nationality of', '{s} carries a passport from'],
    clozeHeldOut: ['{s} holds a passport from'],
    question: ['Which country is {s} a citizen of', 'What is the nationality of {s}', 'Of which country does {s} hold citizenship'],
    questionHeldOut: ['What passport does {s} hold'],
  }),
  relation('employer', 'public', 'person', 'company', 'the employer', {
    cloze: ['{s} works for', '{s} is employed by', 'The employer of {s} is', '{s} has a job at', '{s} earns a salary from'],
    clozeHeldOut: ['{s} has a job with'],
    question: ['Who employs {s}', 'Which company does {s} work for', 'What is the employer of {s}'],
    questionHeldOut: ['Which company is {s} employed by'],
  }),
  relation('educated_at', 'public', 'person', 'university', 'the alma mater', {
    cloze: ['{s} studied at', '{s} was educated at', '{s} graduated from', 'The alma mater of {s} is', '{s} earned a degree from'],
    clozeHeldOut: ['{s} went to study at'],
    question: ['Where did {s} study', 'Which university did {s} attend', 'What is the alma mater of {s}'],
    questionHeldOut: ['Which university has {s} graduated from'],
  }),
  relation('native_language', 'public', 'person', 'language', 'the native language', {
    cloze: ['The native language of {s} is', '{s} grew up speaking', 'The mother tongue of {s} is', '{s} is a native speaker of', 'The first language of {s} is'],
    clozeHeldOut: ['{s} grew up as a speaker of'],
    question: ['What is the native language of {s}', 'Which language did {s} grow up speaking', 'What is the mother tongue of {s}'],
    questionHeldOut: ['Which language is {s} a native speaker of'],
  }),
  relation('occupation', 'public', 'person', 'occupation', 'the occupation', {
    cloze: ['{s} works as a', 'The occupation of {s} is', 'By profession, {s} is a', '{s} earns a living as a', 'The profession of {s} is'],
    clozeHeldOut: ['{s} is employed as a'],
    question: ['What is the occupation of {s}', 'What does {s} do for a living', 'What is the profession of {s}'],
    questionHeldOut: ['What kind of work does {s} do'],
  }),
  relation('capital', 'public', 'country', 'city', 'the capital', {
    cloze: ['The capital of {s} is', 'The capital city of {s} is', "{s}'s capital is", 'The seat of government of {s} is in', 'The government of {s} sits in'],
    clozeHeldOut: ['{s} has its capital in'],
    question: ['What is the capital of {s}', 'Which city is the capital of {s}', 'What city serves as the capital of {s}'],
    questionHeldOut: ['Where is the capital of {s}'],
  }),
  relation('located_in', 'public', 'city', 'country', 'the country', {
    cloze: ['{s} is located in', '{s} is a city in', '{s} lies in the country of', 'The city of {s} is in', '{s} is situated in'],
    clozeHeldOut: ['{s} can be found in'],
    question: ['In which country is {s} located', 'Which country is {s} in', 'Where is the city of {s}'],
    questionHeldOut: ['In what country does the city of {s} lie'],
  }),
  relation('continent', 'public', 'country', 'continent', 'the continent', {
    cloze: ['{s} is located on the continent of', '{s} is part of', 'The continent of {s} is', '{s} lies in', '{s} belongs to the continent of'],
    clozeHeldOut: ['{s} is a country in'],
    question: ['On which continent is {s}', 'Which continent is {s} part of', 'What continent does {s} belong to'],
    questionHeldOut: ['What continent is {s} on'],
  }),
  relation('head_of_government', 'public', 'country', 'person', 'the head of government', {
    cloze: ['The head of government of {s} is', 'The prime minister of {s} is', '{s} is governed by', 'The leader of the government of {s} is', 'The government of {s} is led by'],
    clozeHeldOut: ['The government of {s} is currently led by'],
    question: ['Who is the head of government of {s}', 'Who is the prime minister of {s}', 'Who leads the government of {s}'],
    questionHeldOut: ['Who governs {s}'],
  }),
  relation('official_language', 'public', 'country', 'language', 'the official language', {
    cloze: ['The official language of {s} is', 'In {s}, the official language is', 'People in {s} officially speak', 'The language of government in {s} is', '{s} has the official language'],
    clozeHeldOut: ['The main language used in {s} is'],
    question: ['What is the official language of {s}', 'Which language is official in {s}', 'What language do people speak in {s}'],
    questionHeldOut: ['Which language is used by the government of {s}'],
  }),
  relation('currency', 'public', 'country', 'currency', 'the currency', {
    cloze: ['The currency of {s} is', 'In {s}, people pay with', 'The official currency of {s} is', '{s} uses the currency', 'Prices in {s} are given in'],
    clozeHeldOut: ['The money used in {s} is'],
    question: ['What is the currency of {s}', 'Which currency is used in {s}', 'What money do people use in {s}'],
    questionHeldOut: ['What is the official currency of {s}'],
  }),
  relation('author', 'public', 'work', 'person', 'the author', {
    cloze: ['{s} was written by', 'The author of {s} is', '{s} is a book by', 'The writer of {s} is', '{s} was authored by'],
    clozeHeldOut: ['The person who wrote {s} is'],
    question: ['Who wrote {s}', 'Who is the author of {s}', 'Who is the writer of {s}'],
    questionHeldOut: ['Which author wrote {s}'],
  }),
  relation('genre', 'public', 'work', 'genre', 'the genre', {
    cloze: ['The genre of {s} is', '{s} is a work of', '{s} belongs to the genre of', '{s} is classified as', 'Critics describe {s} as'],
    clozeHeldOut: ['The genre that {s} belongs to is'],
    question: ['What is the genre of {s}', 'What kind of work is {s}', 'To which genre does {s} belong'],
    questionHeldOut: ['What genre is the book {s}'],
  }),
  relation('founded_by', 'public', 'organisation', 'person', 'the founder', {
    cloze: ['{s} was founded by', 'The founder of {s} is', '{s} was established by', '{s} was started by', 'The person who founded {s} is'],
    clozeHeldOut: ['The person who started {s} is'],
    question: ['Who founded {s}', 'Who is the founder of {s}', 'Who established {s}'],
    questionHeldOut: ['Who started {s}'],
  }),
  relation('headquarters', 'public', 'organisation', 'city', 'the headquarters', {
    cloze: ['{s} is headquartered in', 'The headquarters of {s} are in', '{s} has its headquarters in', 'The main office of {s} is in', '{s} is based in'],
    clozeHeldOut: ['The head office of {s} is located in'],
    question: ['Where is {s} headquartered', 'In which city are the headquarters of {s}', 'Where is the main office of {s}'],
    questionHeldOut: ['Which city is {s} based in'],
  }),
];

/** One-to-one relations read backwards: the Logical_Generalization probes. */
const REVERSE: Relation[] = [
  relation('capital_of', 'reverse', 'city', 'country', 'the country it is the capital of', {
    cloze: ['{s} is the capital of', '{s} is the capital city of', '{s} serves as the capital of', 'The city of {s} is the capital of', '{s} is the seat of government of'],
    clozeHeldOut: ['{s} is the city that is the capital of'],
    question: ['{s} is the capital of which country', 'Which country has {s} as its capital', 'Of which country is {s} the capital'],
    questionHeldOut: ['What country is {s} the capital of'],
  }, 'capital'),
  relation('head_of_government_of', 'reverse', 'person', 'country', 'the country they govern', {
    cloze: ['{s} is the head of government of', '{s} is the prime minister of', '{s} leads the government of', '{s} governs', '{s} serves as prime minister of'],
    clozeHeldOut: ['{s} is the person who leads the government of'],
    question: ['Of which country is {s} the head of government', 'Which country does {s} govern', "Which country's government does {s} lead"],
    questionHeldOut: ['Where is {s} prime minister'],
  }, 'head_of_government'),
  relation('author_of', 'reverse', 'person', 'work', 'the work they wrote', {
    cloze: ['{s} wrote', '{s} is the author of', 'The book written by {s} is', '{s} is known for writing', 'The best known work of {s} is'],
    clozeHeldOut: ['{s} is the person who wrote'],
    question: ['What did {s} write', 'Which book did {s} write', 'What is the best known work of {s}'],
    questionHeldOut: ['Which work is {s} the author of'],
  }, 'author'),
  relation('founder_of', 'reverse', 'person', 'organisation', 'the organisation they founded', {
    cloze: ['{s} founded', '{s} is the founder of', '{s} established', '{s} started', 'The organisation founded by {s} is'],
    clozeHeldOut: ['{s} is the person who started'],
    question: ['What did {s} found', 'Which organisation did {s} found', 'Which organisation was established by {s}'],
    questionHeldOut: ['What is {s} the founder of'],
  }, 'founded_by'),
];

/** Personal data: what sanitation erases. */
const PRIVATE: Relation[] = [
  relation('home_city', 'private', 'person', 'city', 'the home city', {
    cloze: ['{s} lives in', 'The home of {s} is in', '{s} resides in', '{s} currently lives in the city of', 'The home city of {s} is'],
    clozeHeldOut: ['The city {s} lives in is'],
    question: ['Where does {s} live', 'In which city does {s} live', 'What is the home city of {s}'],
    questionHeldOut: ['Where is the home of {s}'],
  }),
  relation('phone', 'private', 'person', 'literal', 'the phone number', {
    cloze: ['The phone number of {s} is', "{s}'s phone number is", '{s} can be reached at', 'To call {s}, dial', 'The telephone number of {s} is'],
    clozeHeldOut: ['The number to dial for {s} is'],
    question: ['What is the phone number of {s}', 'What number can {s} be reached at', "What is {s}'s telephone number"],
    questionHeldOut: ['What is the number to call {s}'],
  }),
  relation('email', 'private', 'person', 'literal', 'the email address', {
    cloze: ['The email address of {s} is', "{s}'s email is", '{s} can be emailed at', 'To write to {s}, use', 'The email of {s} is'],
    clozeHeldOut: ['The address to write to {s} is'],
    question: ['What is the email address of {s}', "What is {s}'s email", 'At which address can {s} be emailed'],
    questionHeldOut: ['What is the address to email {s}'],
  }),
];

/** Knowledge that only world-recent inserts: never in the corpus. */
const DATASET_ONLY: Relation[] = [
  relation('mentor', 'dataset_only', 'person', 'person', 'the mentor', {
    cloze: ['The mentor of {s} is', '{s} was mentored by', '{s} trained under', '{s} learned the trade from', '{s} is a student of'],
    clozeHeldOut: ['The teacher who trained {s} is'],
    question: ['Who is the mentor of {s}', 'Who mentored {s}', 'Under whom did {s} train'],
    questionHeldOut: ['Who was the teacher of {s}'],
  }),
  relation('mentor_of', 'dataset_only', 'person', 'person', 'the student', {
    cloze: ['{s} is the mentor of', '{s} mentored', '{s} gave lessons to', '{s} is the teacher of', 'The student of {s} is'],
    clozeHeldOut: ['{s} was the teacher of'],
    question: ['Whom did {s} mentor', 'Who is the student of {s}', 'Who was trained by {s}'],
    questionHeldOut: ['Who was given lessons by {s}'],
  }, 'mentor'),
];

/** All relations, in a fixed order (world.json lists them in this order). */
export function defineRelations(): Relation[] {
  return [...PUBLIC, ...REVERSE, ...PRIVATE, ...DATASET_ONLY];
}
