import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../atomic-file.js';
import type { RouteTable } from '../router-protocol.js';
import { routeTableSchema } from '../router-protocol.js';

// The last route table the controller gave the router, in D/routes.json: a restarted router
// serves from it at once, before any controller is there to tell it anything.

export function routesPath(dir: string): string {
  return join(dir, 'routes.json');
}

/** The saved table, or null when there is none. A file that does not parse is an error: it is only ever written whole. */
export function readRoutes(dir: string): RouteTable | null {
  let text: string;
  try {
    text = readFileSync(routesPath(dir), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  const parsed = routeTableSchema.safeParse(JSON.parse(text));
  if (!parsed.success) throw new Error(`${routesPath(dir)} is not a route table: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return parsed.data;
}

export function writeRoutes(dir: string, table: RouteTable): void {
  writeFileAtomic(routesPath(dir), JSON.stringify(table, null, 2) + '\n');
}
