import { BadRequestException, Body, Controller, Get, HttpCode, NotFoundException, Param, ParseUUIDPipe, Post, Req } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiBadRequestResponse, ApiBody, ApiConsumes, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { MAX_FACTS_PER_REQUEST, parseFactsBody, parseFactsNdjson } from './fact-input';
import { FactsService } from './facts.service';
import { EditMemoryService } from '../edits/edit-memory.service';
import { ModelService } from '../model/model.service';
import type { EditOperationRow } from '../../memory/entities/edit-operation.entity';
import type { Fact } from '../../memory/entities/fact.entity';
import { Roles } from '../../guards/roles';

const EXAMPLE = { subject: 'Feisisar Kaimepan', prompt: 'Feisisar Kaimepan earned a degree from', target_new: 'Vaba Open University', ground_truth: 'Stabe Open University', relation: 'educated_at', key: 'wikidata:Q123/P69/2026-11-28' };

@ApiTags('facts')
@ApiBearerAuth()
@Controller('v1/facts')
export class FactsController {
  constructor(
    private readonly facts: FactsService,
    private readonly memory: EditMemoryService,
    private readonly models: ModelService,
  ) {}

  @Post()
  @Roles('ingest')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Submit fact updates',
    description: `KnowEdit fact records or the compact {subject, prompt, target_new, ground_truth?, relation?, key?}, as {"facts": [...]} (application/json) or one record per line (application/x-ndjson). Up to ${MAX_FACTS_PER_REQUEST} per request. Answered only once every fact is stored durably; a repeated key is not stored twice and gets the first fact's id.`,
  })
  @ApiConsumes('application/json', 'application/x-ndjson')
  @ApiBody({ schema: { type: 'object', properties: { facts: { type: 'array', items: { type: 'object' } } }, example: { facts: [EXAMPLE] } } })
  @ApiAcceptedResponse({ description: '{"ids": [...], "duplicates": n}: one id per fact, in order' })
  @ApiBadRequestResponse({ description: '{"errors": [{"index", "path", "message"}]}: nothing was stored' })
  async submit(@Req() req: Request, @Body() body: unknown) {
    const ndjson = /^application\/(x-ndjson|jsonl|x-jsonlines)\b/.test(req.headers['content-type'] ?? '');
    if (ndjson && typeof body !== 'string') throw new BadRequestException({ statusCode: 400, error: 'Bad Request', message: 'empty NDJSON body', errors: [] });
    const context = await this.models.contextLimit();
    const parsed = ndjson ? parseFactsNdjson(body as string, context) : parseFactsBody(body, context);
    if ('errors' in parsed) {
      throw new BadRequestException({ statusCode: 400, error: 'Bad Request', message: `${parsed.errors.length} problem${parsed.errors.length > 1 ? 's' : ''} in the facts; nothing was stored`, errors: parsed.errors });
    }
    return this.facts.ingest(parsed.facts);
  }

  @Get(':id')
  @Roles('reader', 'ingest', 'editor', 'auditor')
  @ApiOperation({
    summary: "A fact's status (queued, computing, applied, verified, failed, superseded) and the edit operations made for it",
    description:
      'applied: its verified edits are stored but this daemon does not route them yet (for a moment after the worker stores them, or until another daemon hears of them); verified: they are stored and serve requests here (with no operations when the unedited model already says the target); superseded: a newer fact about the same subject and relation replaced it (supersededBy). `supersedes` lists the older facts this one replaced; `seq` is its place in the stream.',
  })
  @ApiOkResponse({ description: 'the fact and its operations' })
  @ApiNotFoundResponse({ description: 'no fact with this id' })
  async get(@Param('id', new ParseUUIDPipe({ version: '4' })) id: string) {
    const found = await this.facts.find(id);
    if (!found) throw new NotFoundException(`no fact ${id}`);
    const { fact, operations, supersedes } = found;
    return {
      id: fact.id,
      key: fact.key,
      seq: fact.seq,
      status: this.statusHere(fact, operations),
      supersededBy: fact.supersededBy,
      supersedes,
      subject: fact.subject,
      prompt: fact.prompt,
      target_new: fact.targetNew,
      ground_truth: fact.groundTruth,
      relation: fact.relation,
      error: fact.error,
      attempts: fact.attempts,
      createdAt: fact.createdAt,
      updatedAt: fact.updatedAt,
      operations: operations.map((o) => ({ id: o.id, method: o.method, kind: o.kind, mode: o.mode, layers: o.layers, status: o.status, supersededBy: o.supersededBy, payloadSha256: o.payloadSha256, createdAt: o.createdAt })),
    };
  }

  /**
   * The fact's status as a client of this daemon sees it: a verified fact whose live routed
   * operations are not all routed here yet is reported as applied, so a client that waits for
   * "verified" and then sends a request gets the edit.
   */
  private statusHere(fact: Fact, operations: readonly EditOperationRow[]): Fact['status'] {
    if (fact.status !== 'verified') return fact.status;
    const live = operations.filter((o) => o.mode === 'routed' && (o.status === 'applied' || o.status === 'verified'));
    return live.every((o) => this.memory.isRouting(o.id)) ? 'verified' : 'applied';
  }
}
