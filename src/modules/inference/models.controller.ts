import { Controller, Get, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '../../guards/roles';
import { ServedModelsService } from './served-models.service';

const READERS = ['reader', 'ingest', 'editor', 'auditor'] as const;

@ApiTags('inference')
@ApiBearerAuth()
@Controller('v1/models')
export class ModelsController {
  constructor(private readonly served: ServedModelsService) {}

  @Get()
  @Roles(...READERS)
  @ApiOperation({ summary: "OpenAI's model list: the served model (its newest version), then each version as `<model>:v<N>`, newest first" })
  @ApiOkResponse({ description: '{"object":"list","data":[{"id","object":"model","created","owned_by","ked":{"version","description","served"}}]}' })
  async list() {
    return { object: 'list', data: await this.served.list() };
  }

  @Get(':id')
  @Roles(...READERS)
  @ApiOperation({ summary: 'One model or version by id (404 in OpenAI\'s shape when unknown)' })
  async find(@Param('id') id: string) {
    return this.served.find(id);
  }
}
