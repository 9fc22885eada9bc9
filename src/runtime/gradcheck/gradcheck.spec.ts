import { SessionManager } from '../session/session-manager';
import { gradCheckCases } from './cases';
import { checkGradients } from './gradcheck';

describe('gradients match central finite differences', () => {
  const manager = new SessionManager({ threads: 1 });
  afterAll(() => manager.close());

  it.each(gradCheckCases().map((c) => [c.name, c] as const))('%s', async (_name, check) => {
    const result = await checkGradients(manager, check);
    expect(result.checked).toBeGreaterThan(0);
    expect(result.maxRelErr).toBeLessThanOrEqual(result.tolerance);
  }, 60_000);
});
