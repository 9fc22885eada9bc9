import { ArgumentsHost, Catch, HttpException } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';

/**
 * Errors raised before a controller runs (body-parser's 413 for an oversized body, 400 for
 * broken JSON) carry an HTTP status of their own; they are the client's, so they are answered
 * with that status as ordinary HTTP exceptions instead of being logged as server errors.
 */
@Catch()
export class ClientErrorFilter extends BaseExceptionFilter {
  override catch(exception: unknown, host: ArgumentsHost): void {
    const status = (exception as { status?: unknown; expose?: unknown })?.status;
    if (!(exception instanceof HttpException) && typeof status === 'number' && status >= 400 && status < 500) {
      const message = (exception as Error).message;
      return super.catch(new HttpException({ statusCode: status, error: httpErrorName(status), message }, status), host);
    }
    return super.catch(exception, host);
  }
}

function httpErrorName(status: number): string {
  return ({ 400: 'Bad Request', 413: 'Payload Too Large', 415: 'Unsupported Media Type' } as Record<number, string>)[status] ?? 'Client Error';
}
