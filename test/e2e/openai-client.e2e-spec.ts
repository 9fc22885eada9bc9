import type { INestApplication } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import OpenAI from 'openai';
import type { DataSource } from 'typeorm';
import { createApiKey } from '../../src/guards/api-keys';
import { createApp } from '../../src/server';
import { testConfig } from './support/app-env';
import { asFact, counterfactRecords } from './support/counterfact';
import { isSettled } from './support/fact-status';

jest.setTimeout(300_000);

const PROMPT = 'Feisisar Kaimepan earned a degree from';
const [EDITED] = counterfactRecords(610, 611);

/**
 * The official `openai` client, unchanged, against the daemon over real HTTP: completions and
 * chat (plain and streamed with usage), several choices, log-probabilities, the model list,
 * errors the SDK can show, the default fields clients send, and an edit seen through it.
 */
describe('the official openai client against ked (embedded engine, fixture model)', () => {
  let app: INestApplication;
  let cleanup: () => Promise<void>;
  let base = '';
  let key = '';
  let client: OpenAI;

  beforeAll(async () => {
    const setup = (await testConfig('embedded', { KED_WORKER: 'on' }))!;
    cleanup = setup.cleanup;
    app = await createApp(setup.config);
    await app.listen(0, '127.0.0.1');
    base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    key = (await createApiKey(app.get<DataSource>(getDataSourceToken()), { name: 'e2e', roles: ['admin'] })).key;
    client = new OpenAI({ baseURL: `${base}/v1`, apiKey: key, maxRetries: 0 });
  });

  afterAll(async () => {
    await app.close();
    await cleanup();
  });

  it('lists the served model and its versions; an unknown model is a NotFoundError with its code', async () => {
    const models = [];
    for await (const model of client.models.list()) models.push(model);
    expect(models[0]).toMatchObject({ id: 'fixture', object: 'model', owned_by: 'ked' });
    expect(models.map((m) => m.id)).toContain('fixture:v1');
    expect(await client.models.retrieve('fixture:v1')).toMatchObject({ id: 'fixture:v1', object: 'model' });
    const missing = await client.models.retrieve('gpt-4o').catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(OpenAI.NotFoundError);
    expect(missing).toMatchObject({ status: 404, code: 'model_not_found' });
    const unknownInRequest = await client.completions.create({ model: 'gpt-4o', prompt: PROMPT }).catch((e: unknown) => e);
    expect(unknownInRequest).toMatchObject({ status: 404, code: 'model_not_found', param: 'model' });
  });

  it('completes, the same text streamed, with usage in the last chunk', async () => {
    const plain = await client.completions.create({ model: 'fixture', prompt: PROMPT, max_tokens: 8 });
    expect(plain.choices[0].text.trim().length).toBeGreaterThan(0);
    expect(plain.model).toBe('fixture:v1');
    expect(plain.usage).toMatchObject({ prompt_tokens: expect.any(Number), completion_tokens: expect.any(Number) });
    expect(plain.usage!.total_tokens).toBe(plain.usage!.prompt_tokens + plain.usage!.completion_tokens);

    const stream = await client.completions.create({ model: 'fixture', prompt: PROMPT, max_tokens: 8, stream: true, stream_options: { include_usage: true } });
    let text = '';
    const chunks = [];
    for await (const chunk of stream) {
      chunks.push(chunk);
      text += chunk.choices.map((c) => c.text).join('');
    }
    expect(text).toBe(plain.choices[0].text);
    const last = chunks[chunks.length - 1];
    expect(last.choices).toEqual([]);
    expect(last.usage).toEqual(plain.usage);
    expect(chunks.slice(0, -1).every((c) => c.usage === null)).toBe(true);
  });

  it('chats, the same text streamed, with usage in the last chunk', async () => {
    const plain = await client.chat.completions.create({ model: 'default', messages: [{ role: 'user', content: PROMPT }], max_completion_tokens: 8 });
    expect(plain.choices[0].message).toMatchObject({ role: 'assistant', content: expect.any(String) });
    expect(plain.choices[0].message.content!.length).toBeGreaterThan(0);
    const stream = await client.chat.completions.create({ model: 'default', messages: [{ role: 'user', content: [{ type: 'text', text: PROMPT }] }], max_completion_tokens: 8, stream: true, stream_options: { include_usage: true } });
    let text = '';
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices.map((c) => c.delta.content ?? '').join('');
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe(plain.choices[0].message.content);
    expect(usage).toEqual(plain.usage);
  });

  it('returns n choices, reproducible with a seed', async () => {
    const ask = () => client.chat.completions.create({ model: 'fixture', messages: [{ role: 'user', content: PROMPT }], n: 2, temperature: 1.5, seed: 7, max_tokens: 8 });
    const first = await ask();
    expect(first.choices.map((c) => c.index)).toEqual([0, 1]);
    expect(first.choices.every((c) => typeof c.message.content === 'string')).toBe(true);
    expect((await ask()).choices.map((c) => c.message.content)).toEqual(first.choices.map((c) => c.message.content));
    // Streamed, each choice's pieces carry its index and add up to the same text.
    const stream = await client.chat.completions.create({ model: 'fixture', messages: [{ role: 'user', content: PROMPT }], n: 2, temperature: 1.5, seed: 7, max_tokens: 8, stream: true });
    const texts = ['', ''];
    for await (const chunk of stream) for (const c of chunk.choices) texts[c.index] += c.delta.content ?? '';
    expect(texts).toEqual(first.choices.map((c) => c.message.content));

    const completions = await client.completions.create({ model: 'fixture', prompt: [PROMPT, 'Jotanpe Feisisar was born in'], n: 2, max_tokens: 4, echo: true });
    expect(completions.choices.map((c) => c.index)).toEqual([0, 1, 2, 3]);
    expect(completions.choices[2].text.startsWith('Jotanpe Feisisar was born in')).toBe(true);
    const best = await client.completions.create({ model: 'fixture', prompt: PROMPT, n: 1, best_of: 3, temperature: 1, seed: 3, max_tokens: 4 });
    expect(best.choices).toHaveLength(1);
    expect(best.choices[0].logprobs).toBeNull();
  });

  it('returns log-probabilities: the greedy token is the most probable alternative', async () => {
    const chat = await client.chat.completions.create({ model: 'fixture', messages: [{ role: 'user', content: PROMPT }], max_tokens: 5, logprobs: true, top_logprobs: 3 });
    const content = chat.choices[0].logprobs!.content!;
    expect(content.length).toBeGreaterThan(0);
    expect(content.map((t) => t.token).join('')).toBe(chat.choices[0].message.content);
    for (const token of content) {
      expect(token.logprob).toBeLessThanOrEqual(0);
      expect(token.top_logprobs).toHaveLength(3);
      expect(token.top_logprobs[0].token).toBe(token.token);
      expect(token.top_logprobs[0].logprob).toBeCloseTo(token.logprob, 5);
    }
    const legacy = await client.completions.create({ model: 'fixture', prompt: PROMPT, max_tokens: 5, logprobs: 2 });
    const logprobs = legacy.choices[0].logprobs!;
    expect(logprobs.tokens!.join('')).toBe(legacy.choices[0].text);
    expect(logprobs.token_logprobs!.every((l) => l <= 0)).toBe(true);
    expect(logprobs.top_logprobs!.every((top) => Object.keys(top).length === 2)).toBe(true);
    expect(logprobs.text_offset![0]).toBe(0);
  });

  it('surfaces ked errors through the SDK: message, param and code', async () => {
    const image = await client.chat.completions
      .create({ model: 'default', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.com/cat.png' } }] }] })
      .catch((e: unknown) => e);
    expect(image).toBeInstanceOf(OpenAI.BadRequestError);
    expect(image).toMatchObject({ status: 400, param: 'messages[0].content[0]', code: 'unsupported_content', type: 'invalid_request_error' });
    expect((image as Error).message).toMatch(/"image_url" content is not supported/);
    const tools = await client.chat.completions
      .create({ model: 'fixture', messages: [{ role: 'user', content: PROMPT }], tools: [{ type: 'function', function: { name: 'f', parameters: {} } }] })
      .catch((e: unknown) => e);
    expect(tools).toMatchObject({ status: 400, param: 'tools', code: 'unsupported_parameter' });
    const json = await client.chat.completions.create({ model: 'fixture', messages: [{ role: 'user', content: PROMPT }], response_format: { type: 'json_object' } }).catch((e: unknown) => e);
    expect(json).toMatchObject({ status: 400, param: 'response_format', code: 'unsupported_value' });
    const typo = await client.completions.create({ model: 'fixture', prompt: PROMPT, max_tokenz: 3 } as OpenAI.CompletionCreateParamsNonStreaming).catch((e: unknown) => e);
    expect(typo).toMatchObject({ status: 400, param: 'max_tokenz', code: 'unknown_parameter' });
    const badKey = await new OpenAI({ baseURL: `${base}/v1`, apiKey: 'ked_wrong', maxRetries: 0 }).models.list().catch((e: unknown) => e);
    expect(badKey).toBeInstanceOf(OpenAI.AuthenticationError);
  });

  it('accepts a request carrying every default field a client or framework sends', async () => {
    const chat = await client.chat.completions.create({
      model: 'default',
      messages: [
        { role: 'developer', content: 'Answer briefly.' },
        { role: 'user', content: PROMPT, name: 'tester' },
      ],
      max_completion_tokens: 6,
      n: 1,
      logprobs: false,
      presence_penalty: 0,
      frequency_penalty: 0,
      temperature: 1,
      top_p: 1,
      stop: null,
      seed: 1,
      response_format: { type: 'text' },
      parallel_tool_calls: true,
      tools: [],
      user: 'user-1',
      metadata: { app: 'e2e' },
      store: false,
      service_tier: 'auto',
      reasoning_effort: 'low',
      stream: false,
      stream_options: null,
      logit_bias: {},
      prediction: { type: 'content', content: 'Cambridge' },
    });
    expect(chat.choices[0].finish_reason).toMatch(/^(stop|length)$/);
    expect(chat.usage!.completion_tokens).toBeGreaterThan(0);
  });

  it('shows an edit through the client: the edited prompt answers the new value and names its edit', async () => {
    const res = await fetch(`${base}/v1/facts`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ facts: [asFact(EDITED)] }) });
    expect(res.status).toBe(202);
    const [id] = ((await res.json()) as { ids: string[] }).ids;
    let fact: { status: string; operations: Array<{ id: string }> } = { status: 'queued', operations: [] };
    const deadline = Date.now() + 240_000;
    while (!isSettled(fact.status) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 1000));
      fact = (await (await fetch(`${base}/v1/facts/${id}`, { headers: { authorization: `Bearer ${key}` } })).json()) as typeof fact;
    }
    expect(fact.status).toBe('verified');
    const edit = fact.operations[0].id;

    const { data, response } = await client.completions.create({ model: 'fixture', prompt: EDITED.prompt, max_tokens: 8 }).withResponse();
    expect(data.choices[0].text.trim().startsWith(EDITED.target_new)).toBe(true);
    expect(response.headers.get('x-ked-edits')).toContain(edit);
    expect((data as unknown as { ked: { edits: string[] } }).ked.edits).toContain(edit);
    const chat = await client.chat.completions.create({ model: 'fixture', messages: [{ role: 'user', content: EDITED.prompt }], max_tokens: 8 });
    expect(chat.choices[0].message.content!.trim().startsWith(EDITED.target_new)).toBe(true);
  });
});
