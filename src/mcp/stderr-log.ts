// Process logs for the MCP layer. Over stdio, stdout belongs to MCP messages
// alone, so everything else is one JSON object a line on stderr.

export type StderrLevel = 'debug' | 'info' | 'warn' | 'error';

export function logToStderr(level: StderrLevel, msg: string, fields: Record<string, unknown> = {}): void {
  if (level === 'debug' && !process.env.LLM_PRICING_DEBUG) return;
  const line = JSON.stringify({ time: new Date().toISOString(), level, pid: process.pid, msg, ...fields });
  try {
    process.stderr.write(`${line}\n`);
  } catch {
    // stderr closed: nothing sensible left to do
  }
}
