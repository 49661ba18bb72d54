import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PACKAGE_ROOT } from '../../version.js';
import type { ServerCommands } from './types.js';

// What the bench sends: the guide's performance-baseline call to our server,
// and the one trivial tool of the bare SDK server (the floor).

export const OUR_CALL = { name: 'estimate_cost', args: { model_name: 'gpt-4', input_tokens: 1000, output_tokens: 500 } } as const;
export const BARE_CALL = { name: 'trivial', args: {} } as const;

/** argv that starts the compiled bare server (dist/check/bench/bare-server.js, beside this file once built). */
export function bareServerArgv(): string[] {
  return [process.execPath, join(dirname(fileURLToPath(import.meta.url)), 'bare-server.js')];
}

/** A program of the bench as built (dist/check/bench/<file>), also when this module runs from src (tests). */
export function builtBenchScript(file: string): string {
  return join(PACKAGE_ROOT, 'dist', 'check', 'bench', file);
}

/** Our built server; telemetryDir keeps the bench's calls out of real telemetry. */
export function ourServerCommands(telemetryDir: string): ServerCommands {
  const main = join(PACKAGE_ROOT, 'dist', 'cli', 'main.js');
  return {
    stdio: [process.execPath, main, 'serve', '--stdio', '--telemetry-dir', telemetryDir],
    http: (port) => [process.execPath, main, 'serve', '--http', '--port', String(port), '--telemetry-dir', telemetryDir],
    env: { LLM_PRICING_TELEMETRY_DIR: telemetryDir },
  };
}
