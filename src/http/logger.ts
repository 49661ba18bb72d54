import { pino } from 'pino';
import type { Logger } from 'pino';

/** JSON log lines on stderr (stdout stays free: a supervisor may read it, and stdio MCP owns it). */
export function createLogger(level: string = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({ level, base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime }, pino.destination({ fd: 2, sync: true }));
}
