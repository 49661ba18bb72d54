import type { Command } from 'commander';

/** A verb: its name on the command line, and its file (one command each, thin), loaded only when needed. */
export interface Verb {
  name: string;
  load(): Promise<{ register(program: Command): void }>;
}

/**
 * Every verb of the CLI, in the order help lists them. main.ts loads only the
 * verb named on the command line (all of them for help or an unknown verb), so
 * `serve --stdio` pays for no other verb's modules before it answers.
 */
export const verbs: Verb[] = [
  { name: 'serve', load: () => import('./serve.js') },
  { name: 'validate', load: () => import('./validate.js') },
  { name: 'bench', load: () => import('./bench.js') },
  { name: 'monitor', load: () => import('./monitor.js') },
  { name: 'controller', load: () => import('./controller.js') },
  { name: 'deploy', load: () => import('./deploy.js') },
  { name: 'rollback', load: () => import('./rollback.js') },
  { name: 'status', load: () => import('./status.js') },
  { name: 'history', load: () => import('./history.js') },
  { name: 'logs', load: () => import('./logs.js') },
  { name: 'promote', load: () => import('./promote.js') },
  { name: 'abort', load: () => import('./abort.js') },
  { name: 'start', load: () => import('./start.js') },
  { name: 'connect', load: () => import('./connect.js') },
  { name: 'prices', load: () => import('./prices.js') },
  { name: 'router', load: () => import('./router.js') },
  { name: 'shutdown', load: () => import('./shutdown.js') },
];

/** The verbs to register for these arguments: the one named, or every verb. */
export function verbsFor(argv: readonly string[]): Verb[] {
  const named = verbs.find((v) => v.name === argv[2]);
  return named ? [named] : verbs;
}
