import { Body, Controller, Delete, Get, NotFoundException, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiCreatedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { createApiKey, listApiKeys, revokeApiKey } from '../../guards/api-keys';
import { ROLES, Roles } from '../../guards/roles';
import { keyInputSchema } from './key-input';
import { parseBody } from '../../guards/parse-body';

/** API keys over HTTP (admin), the same operations as `ked keys`, while the daemon runs. */
@ApiTags('keys')
@ApiBearerAuth()
@Controller('v1/keys')
@Roles('admin')
export class KeysController {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  @Post()
  @ApiOperation({ summary: 'Create an API key; the response is the only time the key is shown (only its sha256 is stored)' })
  @ApiBody({ schema: { properties: { name: { type: 'string' }, roles: { type: 'array', items: { type: 'string', enum: [...ROLES] } } }, required: ['roles'] } })
  @ApiCreatedResponse({ description: '{"id","key","prefix","roles","name"}' })
  async create(@Body() body: unknown) {
    const input = parseBody(keyInputSchema, body, 'key request; nothing was stored');
    const created = await createApiKey(this.dataSource, input);
    return { ...created, name: input.name };
  }

  @Get()
  @ApiOperation({ summary: 'Every key, oldest first: id, name, prefix, roles, created, last used, revoked (never the key)' })
  async list() {
    return listApiKeys(this.dataSource);
  }

  @Delete(':idOrPrefix')
  @ApiOperation({ summary: 'Revoke a key by id or prefix: requests with it get 401 from the next request on' })
  async revoke(@Param('idOrPrefix') idOrPrefix: string) {
    const revoked = await revokeApiKey(this.dataSource, idOrPrefix);
    if (revoked === 0) throw new NotFoundException(`no active key with id or prefix "${idOrPrefix}"`);
    return { revoked };
  }
}
