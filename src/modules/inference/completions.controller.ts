import { Body, Controller, HttpCode, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Roles } from '../../guards/roles';
import { parseBody } from '../../guards/parse-body';
import { chatCompletionRequestSchema, completionRequestSchema, generationSettings, messageText } from './completion-request';
import { CompletionsService, type GeneratedChoice, type PreparedCompletion } from './completions.service';
import { bestOf, chatLogprobs, completionLogprobs, usageOf } from './openai-shapes';
import { ServedModelsService } from './served-models.service';
import { openEventStream } from './sse';

const READERS = ['reader', 'ingest', 'editor', 'auditor'] as const;

@ApiTags('inference')
@ApiBearerAuth()
@Controller('v1')
export class CompletionsController {
  constructor(
    private readonly completions: CompletionsService,
    private readonly served: ServedModelsService,
  ) {}

  @Post('completions')
  @HttpCode(200)
  @Roles(...READERS)
  @ApiOperation({
    summary: 'OpenAI completions, routed through the edit memory',
    description:
      "The edits whose scope a prompt falls in are applied to that prompt only; their ids come back in `ked.edits` and the `x-ked-edits` header. A prompt in no edit's scope runs the unedited model; a request may name an edited subject by an alias or, for a person, by surname or initial, and a partial name that fits several edited people applies none of their edits and is listed in `ked.ambiguous_subjects`. Honours OpenAI's fields: `prompt` (a string, strings, token ids), `n`, `best_of`, `logprobs` (0–5), `echo`, `stop`, `seed`, `temperature`, `top_p`, `presence_penalty`, `frequency_penalty`, `logit_bias`, `max_tokens`, `stream` with `stream_options.include_usage`. Errors come in OpenAI's shape.",
  })
  @ApiBody({ schema: { type: 'object', example: { model: 'default', prompt: 'Feisisar Kaimepan earned a degree from', max_tokens: 8 } } })
  @ApiOkResponse({ description: '{"id","object":"text_completion","model","choices":[{"index","text","logprobs","finish_reason"}],"usage",…,"ked":{"edits":[…]}}' })
  async create(@Body() body: unknown, @Res() res: Response): Promise<void> {
    const request = parseBody(completionRequestSchema, body, 'completion request');
    const settings = generationSettings(request);
    const n = request.n ?? 1;
    const sequences = request.best_of ?? n;
    const model = await this.served.resolve(request.model);
    const prompts = await this.completions.promptTexts(request.prompt);
    // best_of ranks sequences by their log-probabilities, so they are computed even when not returned.
    const prepareOptions = { ...settings, logprobs: settings.logprobs ?? (sequences > n ? 0 : undefined) };
    const prepared: PreparedCompletion[] = [];
    for (const prompt of prompts) prepared.push(await this.completions.prepare(prompt, prompt, prepareOptions, model));
    const [first] = prepared;
    const edits = [...new Set(prepared.flatMap((p) => p.edits))];
    const ambiguous = prepared.flatMap((p) => p.ambiguous);
    const ked = { ...(prepared.length > 1 ? { edits, prompts: prepared.map((p, index) => ({ index, edits: p.edits })) } : { edits }), ...ambiguousOf(ambiguous) };
    const echoed = (i: number) => (request.echo ? prompts[i] : '');
    // echo with logprobs is refused, so offsets count from the generated text.
    const logprobsOf = (c: Pick<GeneratedChoice, 'tokens'>) => (request.logprobs != null ? completionLogprobs(c.tokens) : null);
    const promptTokens = prepared.reduce((sum, p) => sum + p.promptTokens, 0);
    const header = { id: first.id, object: 'text_completion', created: first.created, model, system_fingerprint: model };

    if (!request.stream) {
      const choices = [];
      let completionTokens = 0;
      for (const [i, p] of prepared.entries()) {
        const generated = await p.generate(sequences);
        completionTokens += generated.reduce((sum, c) => sum + c.completionTokens, 0);
        for (const [j, c] of bestOf(generated, n).entries()) choices.push({ index: i * n + j, text: echoed(i) + c.text, logprobs: logprobsOf(c), finish_reason: c.finish });
      }
      res.setHeader('x-ked-edits', edits.join(','));
      res.json({ ...header, choices, usage: usageOf(promptTokens, completionTokens), ked });
      return;
    }
    const includeUsage = request.stream_options?.include_usage === true;
    const stream = openEventStream(res, { 'x-ked-edits': edits.join(',') });
    const chunk = (choices: unknown[], usage?: unknown) => ({ ...header, choices, ...(includeUsage ? { usage: usage ?? null } : {}), ked });
    let completionTokens = 0;
    try {
      for (const [i, p] of prepared.entries()) {
        if (request.echo) for (let j = 0; j < n; j++) stream.send(chunk([{ index: i * n + j, text: prompts[i], logprobs: null, finish_reason: null }]));
        const generated = await p.generate(n, (delta) => stream.send(chunk([{ index: i * n + delta.index, text: delta.text, logprobs: logprobsOf(delta), finish_reason: null }])));
        completionTokens += generated.reduce((sum, c) => sum + c.completionTokens, 0);
        for (const [j, c] of generated.entries()) stream.send(chunk([{ index: i * n + j, text: '', logprobs: null, finish_reason: c.finish }]));
      }
      if (includeUsage) stream.send(chunk([], usageOf(promptTokens, completionTokens)));
    } finally {
      stream.close();
    }
  }

  @Post('chat/completions')
  @HttpCode(200)
  @Roles(...READERS)
  @ApiOperation({
    summary: 'OpenAI chat completions, routed through the edit memory',
    description:
      "The conversation is rendered with the model's chat template (a model without one, such as the fixture, continues the messages' text). Scope is decided on the messages' text. Content may be a string or text parts; images, audio, tools and JSON mode are refused with OpenAI's error. Honours `n`, `logprobs`/`top_logprobs`, `stop`, `seed`, `temperature`, `top_p`, penalties, `logit_bias`, `max_completion_tokens` (or `max_tokens`), `stream` with `stream_options.include_usage`; accepts and ignores `user`, `metadata`, `store`, `parallel_tool_calls`, `response_format: text`, `prediction`, `reasoning_effort`, `service_tier`.",
  })
  @ApiBody({ schema: { type: 'object', example: { model: 'default', messages: [{ role: 'user', content: 'Feisisar Kaimepan earned a degree from' }], max_tokens: 8 } } })
  @ApiOkResponse({ description: '{"id","object":"chat.completion","model","choices":[{"index","message":{"role","content"},"logprobs","finish_reason"}],"usage","ked":{"edits":[…]}}' })
  async chat(@Body() body: unknown, @Res() res: Response): Promise<void> {
    const request = parseBody(chatCompletionRequestSchema, body, 'chat completion request');
    const settings = generationSettings(request);
    const n = request.n ?? 1;
    const model = await this.served.resolve(request.model);
    const messages = request.messages.map((m) => ({ role: m.role === 'developer' ? 'system' : m.role, content: messageText(m), ...(m.name ? { name: m.name } : {}) }));
    const prompt = await this.completions.chatPrompt(messages);
    const prepared = await this.completions.prepare(prompt, messages.map((m) => m.content).join('\n'), { ...settings, promptField: 'messages' }, model);
    const id = prepared.id.replace(/^cmpl-/, 'chatcmpl-');
    const logprobsOf = (c: Pick<GeneratedChoice, 'tokens'>) => (request.logprobs ? chatLogprobs(c.tokens) : null);
    const header = { id, created: prepared.created, model, system_fingerprint: model };
    const ked = { edits: prepared.edits, ...ambiguousOf(prepared.ambiguous) };

    if (!request.stream) {
      const generated = await prepared.generate(n);
      res.setHeader('x-ked-edits', prepared.edits.join(','));
      res.json({
        ...header,
        object: 'chat.completion',
        choices: generated.map((c, index) => ({ index, message: { role: 'assistant', content: c.text, refusal: null }, logprobs: logprobsOf(c), finish_reason: c.finish })),
        usage: usageOf(prepared.promptTokens, generated.reduce((sum, c) => sum + c.completionTokens, 0)),
        ked,
      });
      return;
    }
    const includeUsage = request.stream_options?.include_usage === true;
    const stream = openEventStream(res, { 'x-ked-edits': prepared.edits.join(',') });
    const chunk = (choices: unknown[], usage?: unknown) => ({ ...header, object: 'chat.completion.chunk', choices, ...(includeUsage ? { usage: usage ?? null } : {}), ked });
    try {
      for (let index = 0; index < n; index++) stream.send(chunk([{ index, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }]));
      const generated = await prepared.generate(n, (delta) => stream.send(chunk([{ index: delta.index, delta: { content: delta.text }, logprobs: logprobsOf(delta), finish_reason: null }])));
      for (const [index, c] of generated.entries()) stream.send(chunk([{ index, delta: {}, logprobs: null, finish_reason: c.finish }]));
      if (includeUsage) stream.send(chunk([], usageOf(prepared.promptTokens, generated.reduce((sum, c) => sum + c.completionTokens, 0))));
    } finally {
      stream.close();
    }
  }
}

/**
 * `ambiguous_subjects`, only when a request named someone by a partial name that fits several
 * edited people: the mention as written and how many it fits, never their names.
 */
function ambiguousOf(ambiguous: ReadonlyArray<{ mention: string; people: number }>): { ambiguous_subjects?: Array<{ mention: string; people: number }> } {
  return ambiguous.length ? { ambiguous_subjects: [...ambiguous] } : {};
}
