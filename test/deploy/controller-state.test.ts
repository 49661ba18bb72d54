import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { TransitionError } from '../../src/deploy/colour-lifecycle.js';
import { ControllerState } from '../../src/deploy/controller-state.js';
import { readEvents } from '../../src/deploy/deployment-log.js';
import { Router } from '../../src/deploy/router/router.js';
import type { RouteTable } from '../../src/deploy/router-protocol.js';
import { emptyState, readState } from '../../src/deploy/state.js';

// The one owner of the controller's state: every change checked against the colour lifecycle and
// the state's invariants, then saved, logged and routed together; a refused change changes nothing.
// The route tables go to a real (in-process) router, as they would over its control socket.
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function owner() {
  const dir = mkdtempSync(join(tmpdir(), 'controller-state-'));
  dirs.push(dir);
  const router = new Router({
    bodyLimitBytes: 1000,
    headerTimeoutMs: 1000,
    requestTimeoutMs: 1000,
    upstreamTimeoutMs: 1000,
    keepAliveTimeoutMs: 1000,
    maxRetries: 0,
  });
  const pushed: RouteTable[] = [];
  const st = new ControllerState(
    dir,
    emptyState(8001, 8002),
    {
      push: (t) => {
        pushed.push(t);
        return Promise.resolve(router.apply(t));
      },
    },
    { previewTokenHash: null, adminTokenHash: null, controllerApi: null },
    pino({ level: 'silent' }),
  );
  return { dir, st, router, pushed };
}

const blueSocket = { socketPath: '/tmp/blue.sock' };

describe('ControllerState', () => {
  it('saves, logs and routes a legal change in one step', async () => {
    const { dir, st, router, pushed } = owner();
    await st.move('blue', 'starting', { listen: blueSocket, version: '1.0.0' }, { event: 'start', colour: 'blue' });
    await st.move('blue', 'ready');
    const r = await st.change({ active: 'blue', colours: { blue: { status: 'active' } }, event: { event: 'switch', to: 'blue' } });
    expect(r?.switchMs).toBeGreaterThanOrEqual(0);
    expect(readState(dir)).toMatchObject({ active: 'blue', colours: { blue: { status: 'active', version: '1.0.0' } } });
    expect(readEvents(dir).map((e) => e.event)).toEqual(['start', 'switch']);
    expect(pushed.map((t) => t.generation)).toEqual([1, 2, 3]);
    expect(router.status()).toMatchObject({
      active: 'blue',
      generation: 3,
      colours: { blue: { state: 'active', address: 'unix:/tmp/blue.sock' } },
    });
    // A change that routing does not see (a note) is saved but not pushed.
    await st.change({ note: 'hello' });
    expect(pushed).toHaveLength(3);
    expect(readState(dir)!.notes.at(-1)).toMatch(/hello$/);
  });

  it('refuses a step the lifecycle does not have, or a state that breaks an invariant, and changes nothing', async () => {
    const { dir, st, pushed } = owner();
    await st.move('green', 'starting', { listen: blueSocket });
    const before = readFileSync(join(dir, 'state.json'), 'utf8');
    expect(() => st.move('blue', 'active')).toThrow(TransitionError); // stopped -> active
    expect(() => st.move('green', 'draining')).toThrow(/green: cannot go from starting to draining/);
    expect(() => st.change({ active: 'blue' })).toThrow(/blue cannot be the active colour while stopped/);
    await st.move('green', 'ready');
    expect(() => st.change({ colours: { green: { status: 'active' } } })).toThrow(/green is active but nothing is the active colour/);
    expect(readFileSync(join(dir, 'state.json'), 'utf8')).not.toBe(before); // only the legal step to ready was saved
    expect(readState(dir)!.colours.green.status).toBe('ready');
    expect(readState(dir)!.active).toBeNull();
    expect(pushed.at(-1)!.colours.green.state).toBe('ready');
  });

  it('holds routing while recovering, then pushes once', async () => {
    const { st, pushed } = owner();
    st.holdRoutes();
    await st.move('blue', 'starting', { listen: blueSocket });
    await st.move('blue', 'ready');
    await st.change({ active: 'blue', colours: { blue: { status: 'active' } } });
    expect(pushed).toHaveLength(0);
    await st.releaseRoutes(0);
    expect(pushed).toHaveLength(1);
    expect(pushed[0]).toMatchObject({ active: 'blue', colours: { blue: { state: 'active' } } });
  });
});
