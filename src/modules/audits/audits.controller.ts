import { BadRequestException, Controller, Get, HttpCode, NotFoundException, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Roles } from '../../guards/roles';
import { AuditsService } from './audits.service';

@ApiTags('audits')
@ApiBearerAuth()
@Controller('v1/audits')
export class AuditsController {
  constructor(private readonly audits: AuditsService) {}

  @Post()
  @HttpCode(202)
  @Roles('auditor')
  @ApiOperation({ summary: 'Run a locality regression audit now', description: "Replays the probe set through the edit memory and compares with the unedited model's answers; changed answers blame the edits routed into them (and quarantine them when KED_AUDIT_QUARANTINE=on and locality is below KED_AUDIT_MIN_LOCALITY)." })
  @ApiAcceptedResponse({ description: '{"id"}: poll GET /v1/audits/:id' })
  async start() {
    return { id: await this.audits.start('manual') };
  }

  @Get()
  @Roles('auditor', 'reader')
  @ApiOperation({ summary: 'Audits, newest first (baselines included, trigger "baseline")' })
  @ApiQuery({ name: 'limit', required: false, description: '1–500, default 50' })
  async list(@Query('limit') limitText?: string) {
    const limit = limitText === undefined ? 50 : Number(limitText);
    if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new BadRequestException({ statusCode: 400, error: 'Bad Request', message: 'invalid query', errors: [{ path: 'limit', message: 'must be an integer from 1 to 500' }] });
    return { audits: await this.audits.list(limit) };
  }

  @Get(':id')
  @Roles('auditor', 'reader')
  @ApiOperation({ summary: 'One audit: status (queued, running, passed, failed, error), summary with locality and blamed edits, and per-probe results' })
  async get(@Param('id', new ParseUUIDPipe()) id: string) {
    const found = await this.audits.find(id);
    if (!found) throw new NotFoundException(`no audit ${id}`);
    return { ...found.audit, results: found.results.map((r) => ({ probe: r.probe, expected: r.expected, observed: r.observed, passed: r.passed })) };
  }
}
