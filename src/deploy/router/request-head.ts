// Reads one HTTP/1.1 request head (RFC 9112 sections 2-7) in a single pass and, in the same pass,
// writes the header lines the upstream gets: hop-by-hop headers and those the Connection header
// names dropped (RFC 9110 7.6.1), the MCP session id's colour prefix stripped, X-Forwarded-* added
// by the caller. Anything that would make the message's framing ambiguous is refused, since a
// proxy that reads a request differently from the server behind it is how requests get smuggled.

/** Headers that describe one connection, never forwarded (RFC 9110 7.6.1, plus the old Proxy-Connection and Keep-Alive). */
export const hopByHop = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'proxy-authenticate',
  'proxy-authorization',
]);

export const SessionHeader = 'mcp-session-id';
export const PreviewHeader = 'x-deployment-color';
/** The router's own credential (preview, /deploy/, /router/); never forwarded. */
export const TokenHeader = 'x-deployment-token';

export const MaxHeadBytes = 32 * 1024;
const MaxHeaderLines = 100;

export interface RequestHead {
  method: string;
  /** The request-target as sent (origin-form, absolute-form or `*`). */
  target: string;
  /** The path, for the router's own routes and the shape of its error bodies. */
  path: string;
  /** 1 for HTTP/1.1, 0 for HTTP/1.0. */
  minor: number;
  /** Header lines for the upstream, each ending CRLF (no Content-Length: the caller adds the framing). */
  forward: string;
  /** `-1`: chunked body; otherwise the body's length (0: none). */
  bodyLength: number;
  keepAlive: boolean;
  expectContinue: boolean;
  /** The upstream's session id (prefix stripped) and the colour letter the prefix named ('b', 'g' or ''). */
  sessionId: string | undefined;
  sessionColour: string;
  preview: string | undefined;
  token: string | undefined;
  authorization: string | undefined;
  host: string | undefined;
  forwardedFor: string | undefined;
  forwardedProto: boolean;
  forwardedHost: boolean;
  /** A Forwarded or X-Real-IP header came with it: a proxy passed it on (X-Forwarded-* say so too). */
  proxied: boolean;
}

/** A request the router refuses; `status` is the answer, and the connection is closed after it. */
export class HeadError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

// Lengths of the header names this parser looks at: any other name is forwarded as it is,
// without lowercasing it (the common headers cost a length check, not a string and a hash).
const watched = new Uint8Array(32);
for (const n of [...hopByHop, SessionHeader, PreviewHeader, TokenHeader, 'content-length', 'host', 'authorization', 'expect'])
  watched[n.length] = 1;
for (const n of ['x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'forwarded', 'x-real-ip']) watched[n.length] = 1;

// A token (RFC 9110 5.6.2) as a method or header name.
const tokenRe = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// Characters a field value or request line may never hold once split at CRLF: NUL, a bare CR or LF.
const badCharRe = /[\0\r\n]/;

/**
 * Parses the head `text` (latin1, without the final CRLFCRLF). Throws a HeadError for a request
 * the router must refuse: 400 bad syntax or framing, 501 a transfer coding it does not implement,
 * 505 an HTTP version it does not speak, 431 too many header lines.
 */
export function parseRequestHead(text: string): RequestHead {
  // RFC 9112 2.2: empty lines before the request line are ignored.
  let start = 0;
  while (text.startsWith('\r\n', start)) start += 2;
  let eol = text.indexOf('\r\n', start);
  if (eol < 0) eol = text.length;
  const line = text.slice(start, eol);
  const sp1 = line.indexOf(' ');
  const sp2 = line.indexOf(' ', sp1 + 1);
  if (sp1 <= 0 || sp2 < 0 || line.indexOf(' ', sp2 + 1) >= 0) throw new HeadError(400, 'malformed request line');
  const method = line.slice(0, sp1);
  const target = line.slice(sp1 + 1, sp2);
  const version = line.slice(sp2 + 1);
  if (!tokenRe.test(method)) throw new HeadError(400, 'malformed method');
  if (target === '' || badCharRe.test(target) || target.includes('\t')) throw new HeadError(400, 'malformed request target');
  let minor: number;
  if (version === 'HTTP/1.1') minor = 1;
  else if (version === 'HTTP/1.0') minor = 0;
  else if (/^HTTP\/\d\.\d$/.test(version)) throw new HeadError(505, `${version} is not supported`);
  else throw new HeadError(400, 'malformed HTTP version');
  if (method === 'CONNECT') throw new HeadError(501, 'CONNECT is not supported');

  const head: RequestHead = {
    method,
    target,
    path: pathOf(target),
    minor,
    forward: '',
    bodyLength: 0,
    keepAlive: minor === 1,
    expectContinue: false,
    sessionId: undefined,
    sessionColour: '',
    preview: undefined,
    token: undefined,
    authorization: undefined,
    host: undefined,
    forwardedFor: undefined,
    forwardedProto: false,
    forwardedHost: false,
    proxied: false,
  };
  let out = '';
  let length: string | undefined;
  let codings: string | undefined;
  let named: string[] | undefined; // extra headers the Connection header names
  let lines = 0;
  let hosts = 0;
  for (let at = eol + 2; at < text.length;) {
    let next = text.indexOf('\r\n', at);
    if (next < 0) next = text.length;
    if (++lines > MaxHeaderLines) throw new HeadError(431, `more than ${MaxHeaderLines} header lines`);
    const c0 = text.charCodeAt(at);
    if (c0 === 32 || c0 === 9) throw new HeadError(400, 'obsolete line folding is not accepted'); // RFC 9112 5.2
    const colon = text.indexOf(':', at);
    if (colon < 0 || colon > next) throw new HeadError(400, 'header line without a colon');
    const name = text.slice(at, colon);
    if (!tokenRe.test(name)) throw new HeadError(400, 'malformed header name'); // also no space before the colon (RFC 9112 5.1)
    const value = text.slice(colon + 1, next).trim();
    if (badCharRe.test(value)) throw new HeadError(400, 'invalid character in a header value');
    at = next + 2;
    if (name.length >= 32 || watched[name.length] === 0) {
      out += `${name}: ${value}\r\n`;
      continue;
    }
    const lower = name.toLowerCase();
    if (hopByHop.has(lower)) {
      if (lower === 'transfer-encoding') codings = codings === undefined ? value : `${codings}, ${value}`;
      else if (lower === 'connection') {
        for (const raw of value.split(',')) {
          const option = raw.trim().toLowerCase();
          if (option === 'close') head.keepAlive = false;
          else if (option === 'keep-alive') head.keepAlive = head.keepAlive || minor === 0;
          else if (option !== '') (named ??= []).push(option);
        }
      }
      continue;
    }
    switch (lower) {
      case SessionHeader: {
        // `b.<id>` / `g.<id>`: the colour that made the session; the upstream knows it as `<id>`.
        const c = value.charCodeAt(0);
        if (value.charCodeAt(1) === 46 /* . */ && (c === 98 /* b */ || c === 103) /* g */) {
          head.sessionColour = c === 98 ? 'b' : 'g';
          head.sessionId = value.slice(2);
        } else head.sessionId = value;
        out += `${name}: ${head.sessionId}\r\n`;
        continue;
      }
      case 'content-length':
        if (!/^\d{1,15}$/.test(value)) throw new HeadError(400, 'malformed Content-Length');
        if (length !== undefined && length !== value) throw new HeadError(400, 'conflicting Content-Length headers');
        length = value;
        continue; // the caller writes the framing it sends
      case 'host':
        hosts++;
        head.host = value;
        break;
      case TokenHeader:
        head.token = value;
        continue;
      case PreviewHeader:
        head.preview = value;
        break;
      case 'authorization':
        head.authorization = value;
        break;
      case 'expect':
        if (value.toLowerCase() !== '100-continue') throw new HeadError(417, `unsupported expectation "${value}"`);
        head.expectContinue = minor === 1;
        continue; // answered here: the router reads the body before the upstream sees the request
      case 'x-forwarded-for':
        head.forwardedFor = value;
        continue; // re-added by the caller with the client's address appended
      case 'x-forwarded-proto':
        head.forwardedProto = true;
        break;
      case 'x-forwarded-host':
        head.forwardedHost = true;
        break;
      case 'forwarded':
      case 'x-real-ip':
        head.proxied = true;
        break;
    }
    out += `${name}: ${value}\r\n`;
  }
  if (minor === 1 && hosts !== 1) throw new HeadError(400, hosts === 0 ? 'missing Host header' : 'more than one Host header');
  if (hosts > 1) throw new HeadError(400, 'more than one Host header');

  if (codings !== undefined) {
    // RFC 9112 6.1: with both, the length cannot be trusted; refusing is the safe reading.
    if (length !== undefined) throw new HeadError(400, 'both Transfer-Encoding and Content-Length');
    if (minor === 0) throw new HeadError(400, 'Transfer-Encoding in an HTTP/1.0 request');
    const list = codings
      .split(',')
      .map((c) => c.trim().toLowerCase())
      .filter(Boolean);
    if (list.at(-1) !== 'chunked') throw new HeadError(400, 'chunked is not the final transfer coding');
    if (list.length !== 1) throw new HeadError(501, `transfer coding "${codings}" is not implemented (only chunked)`);
    head.bodyLength = -1;
  } else if (length !== undefined) head.bodyLength = Number(length);
  if (named !== undefined) out = dropNamed(out, named);
  head.forward = out;
  return head;
}

/** Removes the header lines whose names the Connection header listed. */
function dropNamed(lines: string, names: string[]): string {
  let out = '';
  for (const line of lines.split('\r\n')) {
    if (line === '') continue;
    const name = line.slice(0, line.indexOf(':')).toLowerCase();
    if (!names.includes(name)) out += `${line}\r\n`;
  }
  return out;
}

function pathOf(target: string): string {
  if (target.charCodeAt(0) === 47 /* / */) return target;
  const scheme = target.indexOf('://');
  if (scheme > 0) {
    const slash = target.indexOf('/', scheme + 3);
    return slash < 0 ? '/' : target.slice(slash);
  }
  return target; // `*` (OPTIONS)
}
