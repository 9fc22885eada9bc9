import type { INestApplication } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import request from 'supertest';
import type { DataSource } from 'typeorm';
import { createApiKey } from '../../src/guards/api-keys';
import { createApp } from '../../src/server';
import { testConfig } from './support/app-env';

/** Parses an SSE body into its JSON events (and checks it ends with [DONE]). */
function events(body: string): Array<Record<string, any>> {
  const data = body.split('\n\n').filter(Boolean).map((e) => e.replace(/^data: /, ''));
  expect(data[data.length - 1]).toBe('[DONE]');
  return data.slice(0, -1).map((d) => JSON.parse(d));
}

/** Completions on the fixture model with no edits: plain, streamed, chat, stop strings. */
describe('inference endpoints (embedded engine, fixture model)', () => {
  let app: INestApplication;
  let cleanup: () => Promise<void>;
  let key = '';
  const post = (url: string) => request(app.getHttpServer()).post(url).set('authorization', `Bearer ${key}`);
  const PROMPT = 'Feisisar Kaimepan earned a degree from';

  beforeAll(async () => {
    const setup = (await testConfig('embedded'))!;
    cleanup = setup.cleanup;
    app = await createApp(setup.config);
    await app.init();
    key = (await createApiKey(app.get<DataSource>(getDataSourceToken()), { name: 'e2e', roles: ['reader'] })).key;
  });

  afterAll(async () => {
    await app.close();
    await cleanup();
  });

  it('completes greedily, the same text streamed as server-sent events', async () => {
    const plain = await post('/v1/completions').send({ prompt: PROMPT, max_tokens: 10 }).expect(200);
    expect(plain.body).toMatchObject({ object: 'text_completion', model: 'fixture:v1', ked: { edits: [] } });
    expect(plain.body.choices[0].text.trim().length).toBeGreaterThan(0);
    expect(plain.body.usage.completion_tokens).toBeGreaterThan(0);
    expect(plain.headers['x-ked-edits']).toBe('');

    const streamed = await post('/v1/completions').send({ prompt: PROMPT, max_tokens: 10, stream: true }).buffer(true).parse((res, done) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => done(null, text));
    }).expect(200);
    expect(streamed.headers['content-type']).toMatch(/^text\/event-stream/);
    const chunks = events(streamed.body as string);
    expect(chunks.length).toBeGreaterThan(2);
    expect(chunks.map((c) => c.choices[0].text).join('')).toBe(plain.body.choices[0].text);
    expect(chunks[chunks.length - 1].choices[0].finish_reason).toBe(plain.body.choices[0].finish_reason);
  });

  it('samples with top_p 0 as greedy decoding, whatever the temperature', async () => {
    const greedy = await post('/v1/completions').send({ prompt: 'Q: Who governs Silia? A:', max_tokens: 8 }).expect(200);
    for (const seed of [1, 2, 3]) {
      const sampled = await post('/v1/completions').send({ prompt: 'Q: Who governs Silia? A:', max_tokens: 8, temperature: 2, top_p: 0, seed }).expect(200);
      expect(sampled.body.choices[0].text).toBe(greedy.body.choices[0].text);
    }
    const past = await post('/v1/completions').send({ prompt: PROMPT, top_p: 1.5 }).expect(400);
    expect(past.body.error).toMatchObject({ param: 'top_p', code: 'invalid_value' });
  });

  it('cuts at a stop string and reports finish_reason stop', async () => {
    const plain = await post('/v1/completions').send({ prompt: PROMPT, max_tokens: 10 }).expect(200);
    const words = plain.body.choices[0].text.trim().split(' ');
    const stop = ` ${words[1] ?? words[0]}`;
    const cut = await post('/v1/completions').send({ prompt: PROMPT, max_tokens: 10, stop }).expect(200);
    expect(cut.body.choices[0]).toMatchObject({ text: plain.body.choices[0].text.slice(0, plain.body.choices[0].text.indexOf(stop)), finish_reason: 'stop' });
  });

  it('chat completions continue the messages on a model without a chat template, streamed too', async () => {
    const plain = await post('/v1/completions').send({ prompt: PROMPT, max_tokens: 6 }).expect(200);
    const chat = await post('/v1/chat/completions').send({ messages: [{ role: 'user', content: PROMPT }], max_tokens: 6 }).expect(200);
    expect(chat.body).toMatchObject({ object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: plain.body.choices[0].text } }], ked: { edits: [] } });
    const streamed = await post('/v1/chat/completions').send({ messages: [{ role: 'user', content: PROMPT }], max_tokens: 6, stream: true }).buffer(true).parse((res, done) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => done(null, text));
    }).expect(200);
    const chunks = events(streamed.body as string);
    expect(chunks[0].choices[0].delta).toEqual({ role: 'assistant', content: '' });
    expect(chunks.map((c) => c.choices[0].delta.content ?? '').join('')).toBe(plain.body.choices[0].text);
    expect(chunks.every((c) => c.object === 'chat.completion.chunk')).toBe(true);
  });

  it("answers malformed requests with 400 in OpenAI's error shape, the field path as param", async () => {
    const res = await post('/v1/chat/completions').send({ messages: [{ role: 'robot', content: 'hi' }] }).expect(400);
    expect(res.body.error).toMatchObject({ type: 'invalid_request_error', param: 'messages[0].role', code: 'invalid_value' });
    expect(res.body.error.message).toMatch(/messages\[0\]\.role: must be system, developer, user, assistant, tool or function/);
    expect(res.body.error.errors).toEqual([{ path: 'messages[0].role', message: 'must be system, developer, user, assistant, tool or function', code: 'invalid_value' }]);
    await post('/v1/chat/completions').send({ messages: [] }).expect(400);
    const big = await post('/v1/completions').send({ prompt: 'word '.repeat(400) }).expect(400);
    expect(big.body.error).toMatchObject({ type: 'invalid_request_error', param: 'prompt', code: 'context_length_exceeded' });
    expect(big.body.error.message).toMatch(/context holds 128/);
    const long = await post('/v1/chat/completions').send({ messages: [{ role: 'user', content: 'word '.repeat(400) }] }).expect(400);
    expect(long.body.error).toMatchObject({ param: 'messages', code: 'context_length_exceeded' });
    const nul = await post('/v1/completions').send({ prompt: 'a\u0000b' }).expect(400);
    expect(nul.body.error).toMatchObject({ param: 'prompt', type: 'invalid_request_error' });
    const anonymous = await request(app.getHttpServer()).post('/v1/completions').send({ prompt: 'x' }).expect(401);
    expect(anonymous.body.error).toMatchObject({ type: 'authentication_error', code: 'invalid_api_key' });
    // ked's own routes keep their shape.
    const facts = await post('/v1/facts').send({}).expect(403);
    expect(facts.body.error).toBe('Forbidden');
  });

  it('lists version 1 (the checkpoint) from the start', async () => {
    const listed = await request(app.getHttpServer()).get('/v1/model-versions').set('authorization', `Bearer ${key}`).expect(200);
    expect(listed.body.versions).toEqual([expect.objectContaining({ version: 1, parentId: null })]);
  });
});
