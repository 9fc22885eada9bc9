import { BadRequestException, Body, Controller, HttpCode, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { describeIssue, fieldPath } from '../../editors/zod-issue';
import { Roles } from '../../guards/roles';
import { completionRequestSchema } from './completion-request';
import { CompletionsService } from './completions.service';

@ApiTags('inference')
@ApiBearerAuth()
@Controller('v1/completions')
export class CompletionsController {
  constructor(private readonly completions: CompletionsService) {}

  @Post()
  @HttpCode(200)
  @Roles('reader', 'ingest', 'editor', 'auditor')
  @ApiOperation({ summary: 'OpenAI-style completion, routed through the edit memory', description: 'The edits whose scope the prompt falls in are applied to this request only; their ids come back in `ked.edits` and the `x-ked-edits` header. A prompt in no edit\'s scope runs the unedited model.' })
  @ApiBody({ schema: { type: 'object', example: { model: 'default', prompt: 'Feisisar Kaimepan earned a degree from', max_tokens: 8 } } })
  @ApiOkResponse({ description: '{"id","object":"text_completion","choices":[{"text","finish_reason"}],"usage",…,"ked":{"edits":[…]}}' })
  async create(@Body() body: unknown, @Res({ passthrough: true }) res: Response) {
    const parsed = completionRequestSchema.safeParse(body ?? {});
    if (!parsed.success) {
      throw new BadRequestException({ statusCode: 400, error: 'Bad Request', message: 'invalid completion request', errors: parsed.error.issues.map((i) => ({ path: fieldPath(i.path) || 'body', message: describeIssue({ ...i, path: [] }).replace(/^the value /, '') })) });
    }
    const completion = await this.completions.complete(parsed.data);
    res.setHeader('x-ked-edits', completion.ked.edits.join(','));
    return completion;
  }
}
