import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '../../guards/roles';
import { ModelVersionsService } from './model-versions.service';

@ApiTags('edits')
@ApiBearerAuth()
@Controller('v1/model-versions')
export class ModelVersionsController {
  constructor(private readonly versions: ModelVersionsService) {}

  @Get()
  @Roles('reader', 'editor', 'auditor')
  @ApiOperation({ summary: 'Versions of the served model, newest first: the checkpoint (1), then one per commit or committed rollback' })
  @ApiOkResponse({ description: '{"versions": [{"id","version","parentId","description","createdAt"}]}' })
  async list() {
    const versions = await this.versions.list();
    return { versions: versions.map((v) => ({ id: v.id, version: v.version, parentId: v.parentId, description: v.description, createdAt: v.createdAt })) };
  }
}
