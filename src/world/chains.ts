import { templateList, type TemplateSet } from './template-set';
import type { Chain, SlotType } from './types';

function chain(id: string, relations: string[], subjectType: SlotType, objectType: SlotType, inCorpus: boolean, set: TemplateSet): Chain {
  return { id, relations, subjectType, objectType, inCorpus, templates: templateList(set) };
}

/**
 * Multi-hop paths. Two-hop chains are taught for half of their subjects (the other half
 * measures two-hop generalisation) and drive Reasoning portability; three-hop chains only
 * appear in world-mquake, and mentor chains only in world-recent.
 */
export function defineChains(): Chain[] {
  return [
    chain('birth_country', ['born_in', 'located_in'], 'person', 'country', true, {
      cloze: ['The country where {s} was born is', 'The birth country of {s} is'],
      clozeHeldOut: ["{s}'s country of birth is"],
      question: ['In which country was {s} born', 'Which country is the birthplace of {s} in', 'In what country is the city where {s} was born'],
      questionHeldOut: ['What country was {s} born in'],
    }),
    chain('citizen_capital', ['citizen_of', 'capital'], 'person', 'city', true, {
      cloze: ['The capital of the country of which {s} is a citizen is', "The capital of {s}'s country is"],
      clozeHeldOut: ['The capital city of the country {s} is a citizen of is'],
      question: ['What is the capital of the country of which {s} is a citizen', "What is the capital of {s}'s country", 'Which city is the capital of the country where {s} holds citizenship'],
      questionHeldOut: ["What city is the capital of {s}'s home country"],
    }),
    chain('citizen_leader', ['citizen_of', 'head_of_government'], 'person', 'person', true, {
      cloze: ["The head of government of {s}'s country is", 'The prime minister of the country of which {s} is a citizen is'],
      clozeHeldOut: ["The leader of the government of {s}'s country is"],
      question: ["Who is the head of government of {s}'s country", 'Who is the prime minister of the country of which {s} is a citizen', "Who leads the government of {s}'s country"],
      questionHeldOut: ['Who governs the country of {s}'],
    }),
    chain('citizen_currency', ['citizen_of', 'currency'], 'person', 'currency', true, {
      cloze: ["The currency of {s}'s country is", 'The currency of the country of which {s} is a citizen is'],
      clozeHeldOut: ["{s}'s country uses the currency"],
      question: ["What is the currency of {s}'s country", 'Which currency is used in the country of which {s} is a citizen', "What money is used in {s}'s country"],
      questionHeldOut: ["What currency does {s}'s country use"],
    }),
    chain('citizen_continent', ['citizen_of', 'continent'], 'person', 'continent', true, {
      cloze: ["{s}'s country is located on the continent of", 'The continent of the country of which {s} is a citizen is'],
      clozeHeldOut: ['The country of {s} lies on the continent of'],
      question: ["On which continent is {s}'s country", 'Which continent is the country of {s} part of', 'On which continent does {s} hold citizenship'],
      questionHeldOut: ["What continent is {s}'s country on"],
    }),
    chain('employer_city', ['employer', 'headquarters'], 'person', 'city', true, {
      cloze: ["The headquarters of {s}'s employer are in", 'The company {s} works for is based in'],
      clozeHeldOut: ['The company that employs {s} has its headquarters in'],
      question: ['Where is the employer of {s} headquartered', "In which city is {s}'s employer based", 'In which city are the headquarters of the company {s} works for'],
      questionHeldOut: ['Where is the company of {s} based'],
    }),
    chain('university_city', ['educated_at', 'headquarters'], 'person', 'city', true, {
      cloze: ['The university where {s} studied is based in', 'The city where {s} went to university is'],
      clozeHeldOut: ['The university {s} went to is in the city of'],
      question: ['Where is the university {s} attended', "In which city is {s}'s alma mater", 'In which city did {s} study'],
      questionHeldOut: ['Where is the alma mater of {s} based'],
    }),
    chain('author_birthplace', ['author', 'born_in'], 'work', 'city', true, {
      cloze: ['The author of {s} was born in', 'The birthplace of the author of {s} is'],
      clozeHeldOut: ['The writer of {s} was born in the city of'],
      question: ['Where was the author of {s} born', 'In which city was the writer of {s} born', 'What is the birthplace of the author of {s}'],
      questionHeldOut: ['In what city was the author of {s} born'],
    }),
    chain('author_citizenship', ['author', 'citizen_of'], 'work', 'country', true, {
      cloze: ['The nationality of the author of {s} is', 'The country of citizenship of the author of {s} is'],
      clozeHeldOut: ['The writer of {s} holds citizenship of'],
      question: ['Which country is the author of {s} a citizen of', 'What is the nationality of the author of {s}', 'Of which country is the writer of {s} a citizen'],
      questionHeldOut: ['What is the nationality of the writer of {s}'],
    }),
    chain('founder_citizenship', ['founded_by', 'citizen_of'], 'organisation', 'country', true, {
      cloze: ['The nationality of the founder of {s} is', 'The country of citizenship of the founder of {s} is'],
      clozeHeldOut: ['The person who founded {s} holds citizenship of'],
      question: ['Which country is the founder of {s} a citizen of', 'What is the nationality of the founder of {s}', 'Of which country is the founder of {s} a citizen'],
      questionHeldOut: ['What is the nationality of the person who founded {s}'],
    }),
    chain('headquarters_country', ['headquarters', 'located_in'], 'organisation', 'country', true, {
      cloze: ['The country where {s} is headquartered is', 'The headquarters of {s} are located in the country of'],
      clozeHeldOut: ['The country where {s} is based is'],
      question: ['In which country is {s} headquartered', 'Which country are the headquarters of {s} in', 'In which country is the main office of {s}'],
      questionHeldOut: ['In what country is {s} based'],
    }),
    chain('city_continent', ['located_in', 'continent'], 'city', 'continent', true, {
      cloze: ['{s} is a city on the continent of', 'The continent where {s} lies is'],
      clozeHeldOut: ['The city of {s} is on the continent of'],
      question: ['On which continent is the city of {s}', 'Which continent is {s} on', 'On what continent does the city of {s} lie'],
      questionHeldOut: ['What continent is {s} in'],
    }),
    chain('city_capital', ['located_in', 'capital'], 'city', 'city', true, {
      cloze: ['The capital of the country where {s} is located is', 'The capital of the country that contains {s} is'],
      clozeHeldOut: ['{s} is in a country with the capital'],
      question: ['What is the capital of the country where {s} is located', 'Which city is the capital of the country containing {s}', 'What is the capital of the country of {s}'],
      questionHeldOut: ['What city is the capital of the country in which {s} lies'],
    }),
    chain('leader_birthplace', ['head_of_government', 'born_in'], 'country', 'city', true, {
      cloze: ['The head of government of {s} was born in', 'The prime minister of {s} was born in'],
      clozeHeldOut: ['The leader of the government of {s} was born in the city of'],
      question: ['Where was the head of government of {s} born', 'In which city was the prime minister of {s} born', 'What is the birthplace of the head of government of {s}'],
      questionHeldOut: ['Where was the leader of {s} born'],
    }),
    chain('author_birth_country', ['author', 'born_in', 'located_in'], 'work', 'country', false, {
      cloze: ['The country where the author of {s} was born is'],
      clozeHeldOut: ['The country the writer of {s} is from is'],
      question: ['In which country was the author of {s} born', 'What is the country of birth of the writer of {s}', 'In which country is the city where the author of {s} was born'],
      questionHeldOut: ['What country was the author of {s} born in'],
    }),
    chain('employer_country', ['employer', 'headquarters', 'located_in'], 'person', 'country', false, {
      cloze: ["The country where {s}'s employer is headquartered is"],
      clozeHeldOut: ["{s}'s employer is based in the country of"],
      question: ['In which country is the employer of {s} headquartered', "Which country is {s}'s employer based in", 'In which country are the headquarters of the company {s} works for'],
      questionHeldOut: ["In what country is {s}'s employer based"],
    }),
    chain('birth_continent', ['born_in', 'located_in', 'continent'], 'person', 'continent', false, {
      cloze: ['{s} was born on the continent of'],
      clozeHeldOut: ['The continent where {s} was born is'],
      question: ['On which continent was {s} born', 'On which continent is the country where {s} was born', "Which continent is {s}'s birthplace on"],
      questionHeldOut: ['What continent was {s} born on'],
    }),
    chain('founder_capital', ['founded_by', 'citizen_of', 'capital'], 'organisation', 'city', false, {
      cloze: ['The capital of the country of which the founder of {s} is a citizen is'],
      clozeHeldOut: ["The capital of the founder of {s}'s country is"],
      question: ['What is the capital of the country of which the founder of {s} is a citizen', 'What is the capital of the home country of the founder of {s}', 'Which city is the capital of the country of the founder of {s}'],
      questionHeldOut: ["What city is the capital of the founder of {s}'s country"],
    }),
    chain('birth_country_leader', ['born_in', 'located_in', 'head_of_government'], 'person', 'person', false, {
      cloze: ['The head of government of the country where {s} was born is'],
      clozeHeldOut: ["The prime minister of {s}'s country of birth is"],
      question: ['Who is the head of government of the country where {s} was born', "Who leads the government of {s}'s country of birth", 'Who is the prime minister of the country in which {s} was born'],
      questionHeldOut: ["Who governs {s}'s country of birth"],
    }),
    chain('mentor_birthplace', ['mentor', 'born_in'], 'person', 'city', false, {
      cloze: ['The mentor of {s} was born in', "The birthplace of {s}'s mentor is"],
      clozeHeldOut: ['The teacher of {s} was born in'],
      question: ['Where was the mentor of {s} born', "In which city was {s}'s mentor born", 'What is the birthplace of the mentor of {s}'],
      questionHeldOut: ['In what city was the mentor of {s} born'],
    }),
    chain('mentor_employer', ['mentor', 'employer'], 'person', 'company', false, {
      cloze: ['The mentor of {s} works for', "The employer of {s}'s mentor is"],
      clozeHeldOut: ["{s}'s mentor is employed by"],
      question: ['Who employs the mentor of {s}', "Which company does {s}'s mentor work for", 'What is the employer of the mentor of {s}'],
      questionHeldOut: ["At which company does {s}'s mentor work"],
    }),
  ];
}
