import type { ChildProcess } from 'node:child_process';

// What a bench stopped by SIGINT or SIGTERM (Ctrl-C, `timeout`) must not leave behind: the servers it started,
// which would go on listening, a deployment it made (controller, router, colours) and its temp dirs. Sections
// register them here; runBench installs the handler for the length of the run.

const children = new Set<ChildProcess>();
const cleanups = new Set<() => Promise<void>>();

/** Stopped (SIGTERM) if the bench is interrupted. */
export function trackChild<C extends ChildProcess>(child: C): C {
  if (child.exitCode !== null || child.signalCode !== null) return child;
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** Runs if the bench is interrupted, before the tracked children are stopped; call the result once it is not needed. */
export function onInterrupt(cleanup: () => Promise<void>): () => void {
  cleanups.add(cleanup);
  return () => cleanups.delete(cleanup);
}

/** The most an interrupted bench waits for the cleanups and its children's own clean stop. */
const graceMs = 20_000;

const gone = (c: ChildProcess): Promise<void> =>
  new Promise((r) => (c.exitCode !== null || c.signalCode !== null ? r() : c.once('exit', () => r())));

/** Installs SIGINT/SIGTERM handlers that clean up and exit (130/143); returns their removal. */
export function cleanUpOnInterrupt(): () => void {
  const handler = (signal: NodeJS.Signals): void => {
    process.stderr.write(`bench: ${signal}: stopping what it started...\n`);
    const work = (async () => {
      for (const cleanup of [...cleanups].reverse()) await cleanup().catch(() => undefined);
      const live = [...children];
      for (const child of live) child.kill('SIGTERM');
      await Promise.all(live.map(gone));
    })();
    const grace = new Promise<void>((r) => setTimeout(r, graceMs).unref());
    void Promise.race([work, grace]).then(() => {
      for (const child of children) child.kill('SIGKILL');
      process.exit(signal === 'SIGINT' ? 130 : 143);
    });
  };
  process.once('SIGINT', handler);
  process.once('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}
