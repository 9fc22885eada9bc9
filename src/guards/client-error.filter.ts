import { ArgumentsHost, Catch, HttpException, Logger } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import type { Request, Response } from 'express';
import { isOpenAiRoute, openAiError } from './openai-error';

/**
 * Errors raised before a controller runs (body-parser's 413 for an oversized body, 400 for
 * broken JSON) carry an HTTP status of their own; they are the client's, so they are answered
 * with that status as ordinary HTTP exceptions instead of being logged as server errors.
 */
@Catch()
export class ClientErrorFilter extends BaseExceptionFilter {
  private readonly log = new Logger('ExceptionsHandler');

  override catch(exception: unknown, host: ArgumentsHost): void {
    const status = (exception as { status?: unknown; expose?: unknown })?.status;
    if (!(exception instanceof HttpException) && typeof status === 'number' && status >= 400 && status < 500) {
      const message = (exception as Error).message;
      exception = new HttpException({ statusCode: status, error: httpErrorName(status), message }, status);
    }
    const http = host.switchToHttp();
    const request = http.getRequest<Request | undefined>();
    if (request && isOpenAiRoute(request.originalUrl ?? request.url)) return this.answerOpenAi(exception, http.getResponse<Response>());
    return super.catch(exception, host);
  }

  /** OpenAI's error shape, which the official clients read `message`, `param` and `code` from. */
  private answerOpenAi(exception: unknown, res: Response): void {
    if (!(exception instanceof HttpException)) this.log.error(exception);
    // A stream that already started can only be ended.
    if (res.headersSent) return void res.end();
    if (exception instanceof HttpException) {
      res.status(exception.getStatus()).json(openAiError(exception.getStatus(), exception.getResponse()));
      return;
    }
    res.status(500).json(openAiError(500, { message: 'Internal server error' }));
  }
}

function httpErrorName(status: number): string {
  return ({ 400: 'Bad Request', 413: 'Payload Too Large', 415: 'Unsupported Media Type' } as Record<number, string>)[status] ?? 'Client Error';
}
