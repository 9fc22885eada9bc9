import { errorForLog, requestForLog } from './log-serializers';

describe('log serializers', () => {
  it('log a request by its route pattern, never its URL, query string or headers', () => {
    const logged = requestForLog({ id: 7, method: 'GET', raw: { route: { path: '/v1/facts/:id' }, baseUrl: '' }, url: '/v1/facts/abc?api_key=secret', headers: { authorization: 'Bearer k' } } as never);
    expect(logged).toEqual({ id: 7, method: 'GET', route: '/v1/facts/:id' });
    expect(requestForLog({ id: 8, method: 'POST', raw: {} })).toEqual({ id: 8, method: 'POST', route: '(no route)' });
  });

  it('log an error by type and message, without a failed query\'s SQL or parameters', () => {
    const failed = Object.assign(new Error('invalid input syntax'), { name: 'QueryFailedError', query: 'UPDATE erasure_requests SET target = $1', parameters: ['Fodel Tranur'], code: '22P02', driverError: { detail: 'Fodel Tranur' } });
    const logged = errorForLog(failed);
    expect(logged).toEqual({ type: 'QueryFailedError', message: 'invalid input syntax', code: '22P02' });
    expect(JSON.stringify(logged)).not.toContain('Fodel');
  });
});
