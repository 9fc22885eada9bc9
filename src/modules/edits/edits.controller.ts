import { BadRequestException, ConflictException, Controller, Delete, Get, HttpCode, NotFoundException, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type FindOptionsWhere } from 'typeorm';
import { Roles } from '../../guards/roles';
import { EDIT_STATUSES, EditOperationRow } from '../../memory/entities/edit-operation.entity';
import { EditMemoryService } from './edit-memory.service';
import { ModelVersionsService } from './model-versions.service';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An operation as the API shows it: everything but the payload tensors. */
function view(o: EditOperationRow) {
  return { id: o.id, factId: o.factId, method: o.method, kind: o.kind, mode: o.mode, modelVersionId: o.modelVersionId, layers: o.layers, status: o.status, supersededBy: o.supersededBy, payloadSha256: o.payloadSha256, scopeKeys: o.scopeKeys, verification: o.verification, createdAt: o.createdAt, updatedAt: o.updatedAt };
}

@ApiTags('edits')
@ApiBearerAuth()
@Controller('v1/edits')
export class EditsController {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly memory: EditMemoryService,
    private readonly versions: ModelVersionsService,
  ) {}

  @Get()
  @Roles('reader', 'editor', 'auditor')
  @ApiOperation({ summary: 'Edit operations, newest first, filtered by fact, method or status' })
  @ApiQuery({ name: 'factId', required: false })
  @ApiQuery({ name: 'method', required: false })
  @ApiQuery({ name: 'status', required: false, enum: EDIT_STATUSES })
  @ApiQuery({ name: 'limit', required: false, description: '1–500, default 100' })
  @ApiQuery({ name: 'offset', required: false })
  @ApiOkResponse({ description: '{"edits": [...], "total": n}' })
  async list(@Query() query: Record<string, string | undefined>) {
    const where: FindOptionsWhere<EditOperationRow> = {};
    const errors: Array<{ path: string; message: string }> = [];
    if (query.factId !== undefined) (UUID.test(query.factId) ? (where.factId = query.factId) : errors.push({ path: 'factId', message: 'must be a UUID' }));
    if (query.method !== undefined) where.method = query.method;
    if (query.status !== undefined) ((EDIT_STATUSES as readonly string[]).includes(query.status) ? (where.status = query.status as EditOperationRow['status']) : errors.push({ path: 'status', message: `must be one of ${EDIT_STATUSES.join(', ')}` }));
    const limit = query.limit === undefined ? 100 : Number(query.limit);
    const offset = query.offset === undefined ? 0 : Number(query.offset);
    if (!Number.isInteger(limit) || limit < 1 || limit > 500) errors.push({ path: 'limit', message: 'must be an integer from 1 to 500' });
    if (!Number.isInteger(offset) || offset < 0) errors.push({ path: 'offset', message: 'must be an integer >= 0' });
    if (errors.length) throw new BadRequestException({ statusCode: 400, error: 'Bad Request', message: 'invalid query', errors });
    const [rows, total] = await this.dataSource.getRepository(EditOperationRow).findAndCount({ where, order: { createdAt: 'DESC', id: 'ASC' }, take: limit, skip: offset });
    return { edits: rows.map(view), total };
  }

  @Get(':id')
  @Roles('reader', 'editor', 'auditor')
  @ApiOperation({ summary: 'One edit operation (without its payload tensors)' })
  async get(@Param('id', new ParseUUIDPipe()) id: string) {
    const row = await this.dataSource.getRepository(EditOperationRow).findOneBy({ id });
    if (!row) throw new NotFoundException(`no edit ${id}`);
    return view(row);
  }

  @Delete(':id')
  @Roles('editor')
  @ApiOperation({ summary: 'Roll an edit back: a routed edit leaves routing at once, a committed one is subtracted from the served weights (a new model version); its row stays, status "reverted"; when that leaves its fact with no live edit, the edits that fact superseded come back (`restored`). 409 for a privacy erasure\'s edits: they are never rolled back.' })
  async revert(@Param('id', new ParseUUIDPipe()) id: string) {
    const repo = this.dataSource.getRepository(EditOperationRow);
    const row = await repo.findOneBy({ id });
    if (!row) throw new NotFoundException(`no edit ${id}`);
    if (row.status === 'reverted' || row.status === 'erased' || row.status === 'superseded') throw new ConflictException(`edit ${id} is already ${row.status}`);
    // Taking it out of routing would make the erased subject answerable again.
    if (row.erasureId) throw new ConflictException(`edit ${id} belongs to privacy erasure ${row.erasureId}: it is never rolled back`);
    if (row.mode === 'committed') {
      const { version, edits } = await this.versions.rollback(id);
      const restored = row.factId ? await this.versions.restorePredecessors(row.factId) : [];
      return { ...view({ ...row, status: 'reverted' }), modelVersion: version.version, reverted: edits, restored };
    }
    await repo.update({ id }, { status: 'reverted' });
    await this.memory.deactivate([id]);
    // Rolling back the newest value of a subject and relation serves the one it replaced again.
    const restored = row.factId ? await this.versions.restorePredecessors(row.factId) : [];
    return { ...view({ ...row, status: 'reverted' }), restored };
  }

  @Post(':id/commit')
  @HttpCode(200)
  @Roles('editor')
  @ApiOperation({
    summary: 'Commit a routed weight edit: merge its delta into the served model (a new model version)',
    description: 'Every request sees a committed edit, in scope or not, and it survives restarts (the live committed edits are merged into the checkpoint at start). Edits sharing its payload (one batch computation) are committed with it. 409 for context edits and edits that are not live. `DELETE /v1/edits/:id` rolls a committed edit back by subtracting its delta (another version).',
  })
  @ApiOkResponse({ description: '{"modelVersion": n, "committed": [ids], "edit": {...}}' })
  async commit(@Param('id', new ParseUUIDPipe()) id: string) {
    const { version, edits } = await this.versions.commit(id);
    const row = await this.dataSource.getRepository(EditOperationRow).findOneByOrFail({ id });
    return { modelVersion: version.version, committed: edits, edit: view(row) };
  }
}
