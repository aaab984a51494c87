// `tokenwatt simulate` with a port taken (issue 12 item 9): a message that says so and suggests
// --ephemeral-ports, exit 1 (was: a stack trace). The port clash is simulated (no fixed port is bound).
import { describe, expect, it, vi } from 'vitest';

vi.mock('../src/simulate/index.ts', async (orig) => ({
  ...(await orig<typeof import('../src/simulate/index.ts')>()),
  startFleet: async () => {
    throw Object.assign(new Error('cannot listen on 127.0.0.1:8000: listen EADDRINUSE: address already in use 127.0.0.1:8000'), { code: 'EADDRINUSE' });
  },
}));

const { default: simulate } = await import('../src/commands/simulate.ts');

describe('simulate with a port taken', () => {
  it('says which port and suggests --ephemeral-ports; exit 1, no stack trace', async () => {
    const err: string[] = [];
    const spy = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => { err.push(a.join(' ')); });
    try {
      expect(await simulate.run([])).toBe(1);
    } finally {
      spy.mockRestore();
    }
    expect(err.join('\n')).toBe('tokenwatt simulate: cannot listen on 127.0.0.1:8000: listen EADDRINUSE: address already in use 127.0.0.1:8000\n'
      + '  The port is taken (another simulate or demo still running?): stop it, or add --ephemeral-ports to use free ports.');
  });
});
