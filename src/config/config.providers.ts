import { Inject } from '@nestjs/common';
import { KED_CONFIG } from './ked-config';

/** Injects the resolved KedConfig (validated once, before the app is built). */
export const InjectKedConfig = (): ParameterDecorator => Inject(KED_CONFIG);
