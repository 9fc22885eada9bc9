import { completionRequestSchema } from '../modules/inference/completion-request';
import { isOpenAiRoute, openAiError } from './openai-error';
import { parseBody } from './parse-body';

const refusal = (body: unknown) => {
  try {
    parseBody(completionRequestSchema, body, 'completion request');
  } catch (err) {
    return (err as { getResponse(): unknown }).getResponse();
  }
  throw new Error('expected a refusal');
};

describe("OpenAI's error shape", () => {
  it('is used on the inference routes only', () => {
    expect(['/v1/completions', '/v1/chat/completions', '/v1/models', '/v1/models/fixture:v2', '/v1/completions?x=1'].every(isOpenAiRoute)).toBe(true);
    expect(['/v1/facts', '/v1/edits', '/v1/model-versions', '/v1/completionsx', '/health'].some(isOpenAiRoute)).toBe(false);
  });

  it('names the first field as param, keeps its code and lists every field error', () => {
    const shaped = openAiError(400, refusal({ prompt: 'x'.repeat(20_001), max_tokenz: 1, suffix: 'y' }));
    expect(shaped.error).toMatchObject({ type: 'invalid_request_error', param: 'prompt', code: 'invalid_value' });
    expect(shaped.error.message).toBe('invalid completion request: prompt: must be at most 20000 characters; suffix: insertion after a suffix is not supported by this model; max_tokenz: unknown field "max_tokenz"');
    expect(shaped.error.errors!.map((e) => [e.path, e.code])).toEqual([
      ['prompt', 'invalid_value'],
      ['suffix', 'unsupported_parameter'],
      ['max_tokenz', 'unknown_parameter'],
    ]);
  });

  it('reports a union by the branch whose type matched, or says what the union takes', () => {
    expect(openAiError(400, refusal({ prompt: ['fine', ''] })).error).toMatchObject({ param: 'prompt[1]', message: 'invalid completion request: prompt[1]: must not be empty' });
    expect(openAiError(400, refusal({ prompt: 5 })).error.message).toMatch(/prompt: must be a string, an array of strings, an array of token ids/);
  });

  it('maps statuses to types and default codes; a plain message stays as it is', () => {
    expect(openAiError(401, { message: 'unknown or revoked API key' }).error).toEqual({ message: 'unknown or revoked API key', type: 'authentication_error', param: null, code: 'invalid_api_key' });
    expect(openAiError(404, { message: 'nope', code: 'model_not_found', param: 'model' }).error).toMatchObject({ type: 'not_found_error', param: 'model', code: 'model_not_found' });
    expect(openAiError(429, 'ThrottlerException: Too Many Requests').error).toMatchObject({ type: 'rate_limit_error', code: 'rate_limit_exceeded', message: 'ThrottlerException: Too Many Requests' });
    expect(openAiError(500, { message: 'Internal server error' }).error).toMatchObject({ type: 'server_error', code: 'internal_error' });
  });
});
