import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { basename } from 'node:path';
import type { ModelVersion } from '../../memory/entities';
import { ModelVersionsService } from '../edits/model-versions.service';
import { ModelService } from '../model/model.service';

/** A model as OpenAI's `/v1/models` lists it, with ked's version details beside. */
export interface ListedModel {
  id: string;
  object: 'model';
  created: number;
  owned_by: 'ked';
  ked: { version: number; description: string; served: boolean };
}

/** Names a request may give: `default`, the served model's id, or `<id>:v<version>` (a pin). */
const PINNED = /^(.*):v(\d+)$/;

/**
 * The served model under OpenAI's names. ked serves one model, always at its newest version
 * (the checkpoint plus its committed edits); each version has an id of its own, so a client can
 * pin one and be told when the model changed under it instead of getting other weights silently.
 */
@Injectable()
export class ServedModelsService {
  constructor(
    private readonly models: ModelService,
    private readonly versions: ModelVersionsService,
  ) {}

  /** The served model's id: its checkpoint directory's name (`fixture`, `gpt2`, …). */
  async modelId(): Promise<string> {
    return basename((await this.models.get()).name);
  }

  /** The served model first (its newest version), then every version, newest first. */
  async list(): Promise<ListedModel[]> {
    const id = await this.modelId();
    const served = await this.versions.served();
    const all = await this.versions.list();
    const newest = all.find((v) => v.version === served.version) ?? all[0];
    const oldest = all[all.length - 1];
    return [
      { id, object: 'model', created: seconds(oldest), owned_by: 'ked', ked: { version: newest.version, description: newest.description, served: true } },
      ...all.map((v) => ({ id: `${id}:v${v.version}`, object: 'model' as const, created: seconds(v), owned_by: 'ked' as const, ked: { version: v.version, description: v.description, served: v.version === served.version } })),
    ];
  }

  async find(name: string): Promise<ListedModel> {
    const found = (await this.list()).find((m) => m.id === name);
    if (!found) throw notFound(name);
    return found;
  }

  /**
   * The version id that answers a request naming `name`: 404 for a name ked does not serve, 409
   * for a pin on a version that a commit or rollback has since replaced.
   */
  async resolve(name: string): Promise<string> {
    const id = await this.modelId();
    const current = await this.versions.served();
    if (name === 'default' || name === id) return `${id}:v${current.version}`;
    const pin = PINNED.exec(name);
    if (!pin || pin[1] !== id) throw notFound(name);
    const version = Number(pin[2]);
    if (version === current.version) return name;
    if (version < 1 || version > current.version) throw notFound(name);
    throw new ConflictException({
      statusCode: 409,
      error: 'Conflict',
      message: `version ${version} of ${id} is no longer served: it was replaced by version ${current.version} (${id}:v${current.version}); ked serves the newest version only`,
      code: 'model_version_replaced',
      param: 'model',
    });
  }
}

function notFound(name: string): NotFoundException {
  return new NotFoundException({ statusCode: 404, error: 'Not Found', message: `the model "${name}" does not exist: GET /v1/models lists the served model and its versions`, code: 'model_not_found', param: 'model' });
}

const seconds = (v: ModelVersion) => Math.floor(v.createdAt.getTime() / 1000);
