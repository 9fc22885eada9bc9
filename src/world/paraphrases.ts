import type { ParaphraseSet } from './template-set';

/**
 * Corpus-only wordings per relation (Relation.paraphrases): six cloze and two question forms
 * each, written to differ from every held-out template so that held-out accuracy still
 * measures generalisation. Stating a fact in many wordings is what makes a small model store
 * it with the subject rather than with one sentence (knowledge augmentation).
 */
export const PARAPHRASES: Record<string, ParaphraseSet> = {
  born_in: {
    cloze: ['{s} was born in the city of', 'The place where {s} was born is', 'Records show that {s} was born in', 'The birth city of {s} is', '{s} is a person born in', 'According to the records, the birthplace of {s} is'],
    question: ['In what city was {s} born', 'Which city is the birthplace of {s}'],
  },
  citizen_of: {
    cloze: ['{s} is a citizen of the country', 'The citizenship of {s} is that of', 'By citizenship, {s} belongs to', '{s} has citizenship in', '{s} holds the citizenship of', 'Legally, {s} is a citizen of'],
    question: ['Of which country is {s} a citizen', 'What country is {s} a citizen of'],
  },
  employer: {
    cloze: ['The company that employs {s} is', '{s} is an employee of', '{s} is currently employed by', '{s} goes to work at', 'The workplace of {s} is', 'The firm that pays {s} is'],
    question: ['Which company employs {s}', 'For which company does {s} work'],
  },
  educated_at: {
    cloze: ['{s} received an education at', 'The university of {s} is', '{s} is a graduate of', '{s} completed a degree at', '{s} went to university at', 'The university that {s} went to is'],
    question: ['At which university did {s} study', 'Which university educated {s}'],
  },
  native_language: {
    cloze: ['The native tongue of {s} is', 'The native language spoken by {s} is', 'The original language of {s} is', 'The language {s} grew up with is', '{s} was raised speaking', 'The home language of {s} is'],
    question: ['What language did {s} grow up with', 'Which language is the mother tongue of {s}'],
  },
  occupation: {
    cloze: ['{s} has a career as a', 'The job of {s} is', '{s} makes a living as a', 'The trade of {s} is that of a', 'Professionally, {s} is a', '{s} is known as a'],
    question: ['What job does {s} have', 'What is the job of {s}'],
  },
  capital: {
    cloze: ['The capital of the country {s} is', 'The government of {s} is based in', 'The capital city of the nation {s} is', '{s} is governed from', 'The national capital of {s} is', 'The capital of the state {s} is'],
    question: ['Which city is the capital city of {s}', 'What is the capital city of {s}'],
  },
  located_in: {
    cloze: ['The city of {s} is located in', '{s} is a city located in', '{s} is in the country of', 'The country of the city {s} is', '{s} is a town in', 'The city {s} lies in'],
    question: ['Which country is the city of {s} in', 'What country is {s} located in'],
  },
  continent: {
    cloze: ['{s} is a nation on the continent of', 'The country {s} lies on the continent of', 'The continent that {s} is on is', '{s} is situated on the continent of', 'Geographically, {s} belongs to', 'On the map, {s} is in'],
    question: ['Where in the world is {s}', 'In which continent is {s}'],
  },
  head_of_government: {
    cloze: ['The government of {s} is headed by', 'The serving prime minister of {s} is', 'The chief of the government of {s} is', 'The country {s} is governed by', '{s} has as its prime minister', 'At the head of the government of {s} is'],
    question: ['Who heads the government of {s}', 'Who is the leader of the government of {s}'],
  },
  official_language: {
    cloze: ['The official language of the country {s} is', 'Official documents in {s} are in', 'The state language of {s} is', '{s} officially uses the language', 'Laws in {s} are written in', 'The language that is official in {s} is'],
    question: ['Which language is the official language of {s}', 'What is the state language of {s}'],
  },
  currency: {
    cloze: ['Shops in {s} take payment in', 'In {s}, prices are paid in', 'The national currency of {s} is', 'Money in {s} is counted in', '{s} pays in', 'People in {s} pay in'],
    question: ['Which currency does {s} use', 'In which currency are prices in {s}'],
  },
  author: {
    cloze: ['{s} is a work written by', 'The book {s} was written by', '{s} is the work of the author', '{s} was penned by', '{s} was composed by the writer', '{s} comes from the pen of'],
    question: ['Whose book is {s}', 'By whom was {s} written'],
  },
  genre: {
    cloze: ['{s} is a book in the genre of', 'The genre of the work {s} is', '{s} is written in the genre of', 'Readers know {s} as a work of', 'In genre, {s} is', '{s} falls into the genre of'],
    question: ['How would you classify the genre of {s}', 'In which genre is {s} written'],
  },
  founded_by: {
    cloze: ['{s} was created by', 'The organisation {s} was founded by', 'The founder of the organisation {s} is', '{s} was set up by', 'The organisation {s} was begun by', '{s} has as its founder'],
    question: ['Who set up {s}', 'Who created {s}'],
  },
  headquarters: {
    cloze: ['{s} has its main office in', 'The organisation {s} is headquartered in', 'The home base of {s} is in', '{s} keeps its headquarters in', '{s} is run from', 'Staff of {s} report to headquarters in'],
    question: ['Where are the headquarters of {s}', 'Which city is {s} headquartered in'],
  },
  capital_of: {
    cloze: ['The city of {s} is the capital city of', '{s} is the national capital of', '{s} is the capital of the country', '{s} is where the government sits in', 'The capital city {s} belongs to', '{s} is the main city and capital of'],
    question: ['Which nation has its capital at {s}', '{s} is the capital city of which country'],
  },
  head_of_government_of: {
    cloze: ['{s} is the current prime minister of', '{s} holds the office of prime minister in', '{s} is the leader of the government of', '{s} runs the government of', 'The country governed by {s} is', '{s} is in charge of the government of'],
    question: ['Which country is governed by {s}', 'Of which country is {s} the prime minister'],
  },
  author_of: {
    cloze: ['{s} is the novelist behind', 'The work written by {s} is', '{s} penned', '{s} is famous for the book', 'The book by {s} is', '{s} wrote the book'],
    question: ['What work is {s} famous for', 'What book is {s} known for'],
  },
  founder_of: {
    cloze: ['{s} set up', 'The organisation started by {s} is', '{s} is the person who founded', '{s} was the founder of', 'The organisation {s} founded is', '{s} built up'],
    question: ['Which organisation did {s} establish', 'What organisation was founded by {s}'],
  },
  home_city: {
    cloze: ['{s} stays in the city of', 'The city where {s} lives is', '{s} lives in the city of', 'At present, {s} resides in', '{s} is a resident of', 'These days {s} lives in'],
    question: ['In what city does {s} live', 'Which city is home to {s}'],
  },
  phone: {
    cloze: ['The telephone of {s} is', '{s} answers calls at', 'To reach {s} by phone, dial', 'The number to call {s} is', '{s} has the phone number', 'The mobile number of {s} is'],
    question: ['Which phone number does {s} have', 'What number do I dial to reach {s}'],
  },
  email: {
    cloze: ['{s} reads email at', 'The mailbox of {s} is', 'To email {s}, write to', '{s} has the email address', 'The address to email {s} is', 'The inbox of {s} is'],
    question: ['Which email address does {s} use', 'Which address reaches {s} by email'],
  },
};
