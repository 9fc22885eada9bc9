import { Body, Controller, HttpCode, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Roles } from '../../guards/roles';
import { chatCompletionRequestSchema, completionRequestSchema } from './completion-request';
import { CompletionsService } from './completions.service';
import { parseBody } from '../../guards/parse-body';
import { openEventStream } from './sse';

const READERS = ['reader', 'ingest', 'editor', 'auditor'] as const;

@ApiTags('inference')
@ApiBearerAuth()
@Controller('v1')
export class CompletionsController {
  constructor(private readonly completions: CompletionsService) {}

  @Post('completions')
  @HttpCode(200)
  @Roles(...READERS)
  @ApiOperation({ summary: 'OpenAI-style completion, routed through the edit memory', description: 'The edits whose scope the prompt falls in are applied to this request only; their ids come back in `ked.edits` and the `x-ked-edits` header. A prompt in no edit\'s scope runs the unedited model. `stream: true` answers with server-sent events.' })
  @ApiBody({ schema: { type: 'object', example: { model: 'default', prompt: 'Feisisar Kaimepan earned a degree from', max_tokens: 8 } } })
  @ApiOkResponse({ description: '{"id","object":"text_completion","choices":[{"text","finish_reason"}],"usage",…,"ked":{"edits":[…]}}' })
  async create(@Body() body: unknown, @Res() res: Response): Promise<void> {
    const request = parseBody(completionRequestSchema, body, 'completion request');
    if (!request.stream) {
      const completion = await this.completions.complete(request);
      res.setHeader('x-ked-edits', completion.ked.edits.join(','));
      res.json(completion);
      return;
    }
    const prepared = await this.completions.prepare(request.prompt, request.prompt, request, request.model);
    const stream = openEventStream(res, { 'x-ked-edits': prepared.edits.join(',') });
    const chunk = (text: string, finish: string | null) => ({ id: prepared.id, object: 'text_completion', created: prepared.created, model: prepared.model, choices: [{ index: 0, text, finish_reason: finish, logprobs: null }], ked: { edits: prepared.edits } });
    try {
      const out = await prepared.run((delta) => stream.send(chunk(delta, null)));
      stream.send(chunk('', out.finish));
    } finally {
      stream.close();
    }
  }

  @Post('chat/completions')
  @HttpCode(200)
  @Roles(...READERS)
  @ApiOperation({ summary: 'OpenAI-style chat completion, routed through the edit memory', description: "The conversation is rendered with the model's chat template (a model without one, such as the fixture, continues the messages' text). Scope is decided on the messages' text." })
  @ApiBody({ schema: { type: 'object', example: { model: 'default', messages: [{ role: 'user', content: 'Feisisar Kaimepan earned a degree from' }], max_tokens: 8 } } })
  async chat(@Body() body: unknown, @Res() res: Response): Promise<void> {
    const request = parseBody(chatCompletionRequestSchema, body, 'chat completion request');
    const prompt = await this.completions.chatPrompt(request.messages);
    const prepared = await this.completions.prepare(prompt, request.messages.map((m) => m.content).join('\n'), request, request.model);
    const id = prepared.id.replace(/^cmpl-/, 'chatcmpl-');
    if (!request.stream) {
      const out = await prepared.run();
      res.setHeader('x-ked-edits', prepared.edits.join(','));
      res.json({
        id,
        object: 'chat.completion',
        created: prepared.created,
        model: prepared.model,
        choices: [{ index: 0, message: { role: 'assistant', content: out.text }, finish_reason: out.finish, logprobs: null }],
        usage: { prompt_tokens: out.promptTokens, completion_tokens: out.completionTokens, total_tokens: out.promptTokens + out.completionTokens },
        ked: { edits: prepared.edits },
      });
      return;
    }
    const stream = openEventStream(res, { 'x-ked-edits': prepared.edits.join(',') });
    const chunk = (delta: Record<string, string>, finish: string | null) => ({ id, object: 'chat.completion.chunk', created: prepared.created, model: prepared.model, choices: [{ index: 0, delta, finish_reason: finish }], ked: { edits: prepared.edits } });
    try {
      stream.send(chunk({ role: 'assistant' }, null));
      const out = await prepared.run((delta) => stream.send(chunk({ content: delta }, null)));
      stream.send(chunk({}, out.finish));
    } finally {
      stream.close();
    }
  }
}
