import { networkInterfaces } from 'node:os';

// How the deployment is reached from outside, and what the environments must therefore accept:
// their Host/Origin checks (DNS-rebinding protection) see the names clients use for the router,
// not the environment's own socket. From --public-url, --allowed-hosts, --allowed-origins and the
// address the router binds.

export interface ExposureSettings {
  /** The address and port the router binds. */
  host: string;
  port: number;
  /** The URL clients use, when it is not the router's own address (a name, TLS in front, another port). */
  publicUrl?: string;
  allowedHosts: string[];
  allowedOrigins: string[];
}

export interface Exposure {
  /** The MCP endpoint to give clients. */
  url: string;
  allowedHosts: string[];
  allowedOrigins: string[];
}

const loopbackNames = ['127.0.0.1', 'localhost', '::1'];

/** Checks a --public-url: http(s), no query or fragment. Returns it parsed. */
export function parsePublicUrl(text: string): URL {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw new Error(`--public-url must be a URL like https://mcp.example.com, got "${text}"`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error(`--public-url must be http or https, got "${text}"`);
  if (u.search || u.hash || u.username) throw new Error(`--public-url must not carry a query, fragment or credentials: "${text}"`);
  return u;
}

export function exposure(s: ExposureSettings): Exposure {
  const bracket = (h: string) => (h.includes(':') ? `[${h}]` : h);
  const hosts = loopbackNames.map((n) => `${bracket(n)}:${s.port}`);
  const origins = ['127.0.0.1', 'localhost'].map((n) => `http://${n}:${s.port}`);
  const wildcard = s.host === '0.0.0.0' || s.host === '::';
  const outside = wildcard ? externalAddresses() : loopbackNames.includes(s.host) ? [] : [s.host];
  for (const a of outside) {
    hosts.push(`${bracket(a)}:${s.port}`);
    origins.push(`http://${bracket(a)}:${s.port}`);
  }
  let url = `http://${bracket(outside[0] ?? (wildcard ? '127.0.0.1' : s.host))}:${s.port}/mcp`;
  if (s.publicUrl !== undefined) {
    const u = parsePublicUrl(s.publicUrl);
    hosts.push(u.host); // with its port when not the scheme's default, as clients send it
    origins.push(u.origin);
    const path = u.pathname.replace(/\/+$/, '');
    url = `${u.origin}${path === '' ? '/mcp' : path}`;
  }
  hosts.push(...s.allowedHosts);
  origins.push(...s.allowedOrigins);
  return { url, allowedHosts: [...new Set(hosts)], allowedOrigins: [...new Set(origins)] };
}

function externalAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flat()
    .filter((a) => a !== undefined && !a.internal && a.family === 'IPv4')
    .map((a) => a!.address);
}

export function splitList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
}
