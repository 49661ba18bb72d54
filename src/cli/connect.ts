import type { Command } from 'commander';
import { UsageError, durationFlag } from './usage.js';

export function register(program: Command): void {
  program
    .command('connect <url>')
    .description('bridge stdio to a Streamable HTTP MCP endpoint (for desktop clients that only speak stdio); survives blue-green switches')
    .option('--reconnect-window <duration>', 'how long to keep retrying an unreachable endpoint', '30s')
    .option('--header <name:value...>', 'extra HTTP header(s) to send upstream')
    .action(async (url: string, flags: { reconnectWindow: string; header?: string[] }) => {
      let target: URL;
      try {
        target = new URL(url);
      } catch {
        throw new UsageError(`not a URL: "${url}" (expected e.g. http://127.0.0.1:8000/mcp)`);
      }
      if (target.protocol !== 'http:' && target.protocol !== 'https:') {
        throw new UsageError(`URL must be http or https, got ${target.protocol}`);
      }
      const headers: Record<string, string> = {};
      for (const h of flags.header ?? []) {
        const i = h.indexOf(':');
        if (i <= 0) throw new UsageError(`--header must look like "Name: value", got "${h}"`);
        headers[h.slice(0, i).trim()] = h.slice(i + 1).trim();
      }
      const { StdioBridge } = await import('../bridge/stdio-bridge.js');
      const bridge = new StdioBridge({
        url: target,
        reconnectWindowMs: durationFlag('--reconnect-window', flags.reconnectWindow)!,
        headers: Object.keys(headers).length ? headers : undefined,
        // stdout belongs to MCP; diagnostics go to stderr.
        log: (line) => process.stderr.write(`[connect] ${line}\n`),
      });
      process.on('SIGTERM', () => void bridge.close());
      await bridge.run();
    });
}
