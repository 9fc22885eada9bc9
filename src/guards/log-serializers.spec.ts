import { errorForLog, requestForLog } from './log-serializers';

describe('log serializers', () => {
  it('log a request by its route, never its ids, names, query string or headers', () => {
    const logged = requestForLog({ id: 7, method: 'GET', url: '/v1/facts/f56bf284-4596-4d9b-bb3f-dbdc8f891e1a?api_key=secret', headers: { authorization: 'Bearer k' } } as never);
    expect(logged).toEqual({ id: 7, method: 'GET', route: '/v1/facts/:param' });
    expect(requestForLog({ id: 8, method: 'POST', url: '/v1/edits/abc/commit' })).toEqual({ id: 8, method: 'POST', route: '/v1/edits/:param/commit' });
    expect(requestForLog({ id: 9, method: 'DELETE', url: '/v1/keys/Fodel%20Tranur/x' })).toEqual({ id: 9, method: 'DELETE', route: '/v1/keys/:param/:param' });
    expect(requestForLog({ id: 10, method: 'POST', url: '/v1/chat/completions' }).route).toBe('/v1/chat/completions');
  });

  it('log an error by type and message, without a failed query\'s SQL or parameters', () => {
    const failed = Object.assign(new Error('invalid input syntax'), { name: 'QueryFailedError', query: 'UPDATE erasure_requests SET target = $1', parameters: ['Fodel Tranur'], code: '22P02', driverError: { detail: 'Fodel Tranur' } });
    const logged = errorForLog(failed);
    expect(logged).toEqual({ type: 'QueryFailedError', message: 'invalid input syntax', code: '22P02' });
    expect(JSON.stringify(logged)).not.toContain('Fodel');
  });
});
