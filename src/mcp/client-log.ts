// MCP logging capability: log notifications to the client. Until the client sets
// a level (logging/setLevel), only warnings and worse are sent, so a client that
// never asked is not flooded; after it sets "debug", every tool call is logged.

import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { SetLevelRequestSchema, type LoggingLevel, type RequestId } from '@modelcontextprotocol/sdk/types.js';

export const LOGGER_NAME = 'llm-pricing-mcp';

const SEVERITY: Record<LoggingLevel, number> = {
  debug: 0,
  info: 1,
  notice: 2,
  warning: 3,
  error: 4,
  critical: 5,
  alert: 6,
  emergency: 7,
};

export class ClientLog {
  private level: LoggingLevel | undefined;

  constructor(private readonly server: Server) {
    // Replaces the SDK's handler (same reply) so we know whether the client asked.
    server.setRequestHandler(SetLevelRequestSchema, (request) => {
      this.level = request.params.level;
      return {};
    });
  }

  wants(level: LoggingLevel): boolean {
    const threshold = this.level ?? 'warning';
    return SEVERITY[level] >= SEVERITY[threshold];
  }

  /** Sends if the level passes; never throws (a closed transport just drops it). */
  send(level: LoggingLevel, data: unknown, relatedRequestId?: RequestId): void {
    if (!this.wants(level)) return;
    this.server
      .notification(
        { method: 'notifications/message', params: { level, logger: LOGGER_NAME, data } },
        relatedRequestId !== undefined ? { relatedRequestId } : undefined,
      )
      .catch(() => undefined);
  }
}
