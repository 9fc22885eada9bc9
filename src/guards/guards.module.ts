import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerGuard, ThrottlerModule } from '@nestjs/throttler';
import type { Request } from 'express';
import { ApiKeyGuard, type AuthenticatedRequest } from './api-key.guard';

/**
 * Authentication first (a request without a valid key never counts against anyone's budget), then
 * throttling per API key (per client address for public routes).
 */
@Module({})
export class GuardsModule {
  static forRoot(options: { requestsPerMinute: number }) {
    return {
      module: GuardsModule,
      imports: [
        ThrottlerModule.forRoot({
          throttlers: [{ name: 'default', ttl: 60_000, limit: options.requestsPerMinute }],
          getTracker: (req: Record<string, unknown>) => (req as unknown as AuthenticatedRequest).apiKey?.id ?? (req as unknown as Request).ip ?? 'unknown',
          skipIf: (context) => ['/health', '/metrics'].includes(context.switchToHttp().getRequest<Request>().path),
        }),
      ],
      providers: [
        { provide: APP_GUARD, useClass: ApiKeyGuard },
        { provide: APP_GUARD, useClass: ThrottlerGuard },
      ],
    };
  }
}
