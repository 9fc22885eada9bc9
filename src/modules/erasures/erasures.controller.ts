import { Body, Controller, Get, HttpCode, NotFoundException, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '../../guards/roles';
import { erasureInputSchema } from './erasure-input';
import { ErasuresService } from './erasures.service';
import { parseBody } from '../../guards/parse-body';

@ApiTags('erasures')
@ApiBearerAuth()
@Controller('v1/erasures')
export class ErasuresController {
  constructor(private readonly erasures: ErasuresService) {}

  @Post()
  @HttpCode(202)
  @Roles('admin')
  @ApiOperation({
    summary: 'Erase a subject, a fact, or a text from the edited model',
    description: 'Finds every edit and fact about it, records what the base model says, installs a suppression edit (answers "I don\'t know."), scrubs Postgres rows and LanceDB scope keys, purges old versions from disk, and verifies through the router.',
  })
  @ApiBody({ schema: { oneOf: [{ properties: { subject: { type: 'string' } } }, { properties: { factId: { type: 'string', format: 'uuid' } } }, { properties: { text: { type: 'string' } } }] } })
  @ApiAcceptedResponse({ description: '{"id"}: poll GET /v1/erasures/:id' })
  async start(@Body() body: unknown) {
    const input = parseBody(erasureInputSchema, body, 'erasure request; nothing was stored');
    return { id: await this.erasures.start(input) };
  }

  @Get(':id')
  @Roles('admin', 'auditor')
  @ApiOperation({ summary: 'One erasure: status (queued, running, done, failed) and its report (what was removed, base-model answers, verification probes)' })
  async get(@Param('id', new ParseUUIDPipe()) id: string) {
    const found = await this.erasures.find(id);
    if (!found) throw new NotFoundException(`no erasure ${id}`);
    return { id: found.id, status: found.status, target: { kind: found.targetKind, value: found.target }, report: found.report, createdAt: found.createdAt, completedAt: found.completedAt };
  }
}
