import type { ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { StringDecoder } from 'node:string_decoder';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport, StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CallToolResultSchema, McpError } from '@modelcontextprotocol/sdk/types.js';
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import { VERSION } from '../../version.js';
import { networkReason } from '../http-get.js';
import { splitCommandLine } from '../shell-words.js';
import { sharedSchemaValidator } from './schema-cache.js';

// One MCP client session against the server under test, over stdio (we spawn
// it) or Streamable HTTP. It records what the SDK would otherwise swallow: lines
// on stdout that are not JSON-RPC, and how the server process ended.

export type CallOutcome =
  | { ok: true; result: CallToolResult; ms: number }
  | { ok: false; error: Error; code?: number; ms: number; /** the connection itself failed (HTTP) */ network?: boolean };

export interface Session {
  readonly kind: 'stdio' | 'http';
  readonly client: Client;
  readonly pid: number | undefined;
  /** Problems with the stdio stream in arrival order (lines that are not JSON-RPC, pipe errors). */
  readonly protocolErrors: string[];
  /** "exited with code 1" once the spawned server has ended, else undefined. */
  exitDescription(): string | undefined;
  /** The last lines the spawned server wrote to stderr. */
  stderrTail(): string;
  listTools(timeoutMs: number): Promise<Tool[]>;
  callTool(name: string, args: Record<string, unknown>, timeoutMs: number): Promise<CallOutcome>;
  close(): Promise<void>;
}

const CLIENT_INFO = { name: 'llm-pricing-mcp-validate', version: VERSION };
const STDERR_TAIL_CHARS = 2000;

/**
 * A StdioClientTransport that also remembers the child's pid and exit status
 * (the SDK forgets both when the child ends) and hands over every stdout line
 * that is not a JSON-RPC message (the SDK only reports a parse error).
 */
class ObservedStdioTransport extends StdioClientTransport {
  exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  startedPid: number | undefined;
  onStrayLine: ((line: string) => void) | undefined;
  private pending = '';
  private readonly decoder = new StringDecoder('utf8');

  override async start(): Promise<void> {
    await super.start();
    this.startedPid = this.pid ?? undefined;
    // The SDK keeps the child private; we only listen to it.
    const child = (this as unknown as { _process?: ChildProcess })._process;
    child?.once('exit', (code, signal) => {
      this.exit = { code, signal };
    });
    child?.stdout?.on('data', (chunk: Buffer) => this.scan(this.decoder.write(chunk)));
  }

  private scan(text: string): void {
    const lines = (this.pending + text).split('\n');
    this.pending = lines.pop() ?? '';
    for (const raw of lines) {
      const line = raw.replace(/\r$/, '');
      if (line.trim() === '') continue;
      let ok: boolean;
      try {
        const msg: unknown = JSON.parse(line);
        ok = typeof msg === 'object' && msg !== null && (msg as { jsonrpc?: unknown }).jsonrpc === '2.0';
      } catch {
        ok = false;
      }
      if (!ok) this.onStrayLine?.(line);
    }
  }
}

/** Spawns `command` and runs the initialize handshake; throws (with the session attached) when it fails. */
export async function openStdioSession(command: string, timeoutMs: number): Promise<Session> {
  const [file, ...args] = splitCommandLine(command);
  if (!file) throw new Error('the --stdio command is empty');
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  const transport = new ObservedStdioTransport({ command: file, args, env, stderr: 'pipe' });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-STDERR_TAIL_CHARS);
  });
  const session = makeSession('stdio', transport, {
    pid: () => transport.startedPid ?? transport.pid ?? undefined,
    exitDescription: () => {
      const e = transport.exit;
      if (!e) return undefined;
      return e.signal ? `was killed by ${e.signal}` : `exited with code ${e.code}`;
    },
    stderrTail: () => stderr.trim(),
  });
  transport.onStrayLine = (line) => session.protocolErrors.push(`non-JSON-RPC output on stdout: "${line.slice(0, 120)}"`);
  await connectOrThrow(session, transport, timeoutMs);
  return session;
}

/** Connects to a Streamable HTTP endpoint and runs the initialize handshake. */
export async function openHttpSession(url: string, timeoutMs: number, headers: Record<string, string> = {}): Promise<Session> {
  const transport = new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } });
  const session = makeSession('http', transport, { pid: () => undefined, exitDescription: () => undefined, stderrTail: () => '' });
  await connectOrThrow(session, transport, timeoutMs);
  return session;
}

export class SessionOpenError extends Error {
  constructor(
    message: string,
    readonly session: Session,
  ) {
    super(message);
  }
}

async function connectOrThrow(session: Session, transport: StdioClientTransport | StreamableHTTPClientTransport, timeoutMs: number) {
  try {
    await session.client.connect(transport, { timeout: timeoutMs });
  } catch (err) {
    // Give a dying child a moment so the caller can tell "crashed" from "slow".
    if (session.kind === 'stdio') await new Promise((r) => setTimeout(r, 100));
    throw new SessionOpenError(errorText(err), session);
  }
}

function makeSession(
  kind: 'stdio' | 'http',
  transport: StdioClientTransport | StreamableHTTPClientTransport,
  proc: { pid(): number | undefined; exitDescription(): string | undefined; stderrTail(): string },
): Session {
  // The client compiles the listed tools' output schemas on tools/list: with the shared cache, once per process.
  const client = new Client(CLIENT_INFO, { capabilities: {}, jsonSchemaValidator: sharedSchemaValidator });
  const protocolErrors: string[] = [];
  client.onerror = (err) => {
    // Over stdio, unparseable lines are reported whole by ObservedStdioTransport.
    // Over HTTP, a failed POST also fails its own call, which is where it is judged.
    if (kind === 'http' || isParseError(err)) return;
    protocolErrors.push(err.message.slice(0, 300));
  };
  return {
    kind,
    client,
    get pid() {
      return proc.pid();
    },
    protocolErrors,
    exitDescription: proc.exitDescription,
    stderrTail: proc.stderrTail,
    async listTools(timeoutMs) {
      const tools: Tool[] = [];
      let cursor: string | undefined;
      do {
        const page = await client.listTools(cursor ? { cursor } : {}, { timeout: timeoutMs });
        tools.push(...page.tools);
        cursor = page.nextCursor;
      } while (cursor);
      return tools;
    },
    async callTool(name, args, timeoutMs) {
      const started = performance.now();
      try {
        // A raw request: the SDK's own output-schema check would hide the
        // structured content we want to judge and report ourselves.
        const result = await client.request({ method: 'tools/call', params: { name, arguments: args } }, CallToolResultSchema, {
          timeout: timeoutMs,
        });
        return { ok: true, result, ms: performance.now() - started };
      } catch (err) {
        const ms = performance.now() - started;
        if (isNetworkFailure(err)) return { ok: false, error: new Error(`connection failed: ${networkReason(err)}`), network: true, ms };
        const error = err instanceof StreamableHTTPError ? httpError(err) : err instanceof Error ? err : new Error(String(err));
        const code = err instanceof McpError ? err.code : undefined;
        return { ok: false, error, ...(code !== undefined && { code }), ms };
      }
    },
    async close() {
      if (transport instanceof StreamableHTTPClientTransport && transport.sessionId) {
        await Promise.race([transport.terminateSession().catch(() => undefined), new Promise((r) => setTimeout(r, 1000).unref())]);
      }
      await client.close().catch(() => undefined);
    },
  };
}

/** "Streamable HTTP error: Error POSTing to endpoint: {body}" -> "HTTP 500 from the endpoint: {body}". */
function httpError(err: StreamableHTTPError): Error {
  const detail = err.message.replace(/^Streamable HTTP error: (Error POSTing to endpoint: )?/, '');
  return new Error(err.code !== undefined ? `HTTP ${err.code} from the endpoint: ${detail.slice(0, 200)}` : err.message);
}

/** fetch's "fetch failed" (refused, reset, closed mid-request), as opposed to an HTTP or JSON-RPC answer. */
function isNetworkFailure(err: unknown): boolean {
  return err instanceof TypeError && err.message === 'fetch failed';
}

function isParseError(err: Error): boolean {
  return err instanceof SyntaxError || /ZodError/.test(err.name) || err.message.includes('invalid_union');
}

export function errorText(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as { cause?: { code?: string } }).cause;
    const message = tidyMessage(err.message);
    return cause?.code ? `${message} (${cause.code})` : message;
  }
  return String(err);
}

/** "MCP error -32602: MCP error -32602: x" (a server echoing an SDK message) -> "MCP error -32602: x". */
export function tidyMessage(message: string): string {
  return message.replace(/^(MCP error -?\d+: )(?:MCP error -?\d+: )+/, '$1');
}
