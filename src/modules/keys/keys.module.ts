import { Module } from '@nestjs/common';
import { InitialAdminKeyService } from './initial-admin-key.service';
import { KeysController } from './keys.controller';

/** API keys: `GET/POST/DELETE /v1/keys` and the first admin key of a fresh install. */
@Module({ controllers: [KeysController], providers: [InitialAdminKeyService] })
export class KeysModule {}
