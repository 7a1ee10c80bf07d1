import * as dns from "node:dns";
import * as net from "node:net";

/**
 * One TCP reachability probe: connect to host:port and, when a banner is expected, read the first
 * bytes the server sends. Nothing is ever written to the socket, and it is destroyed however the
 * probe ends. A refused, reset, unreachable or slow connection is "not ready" with a reason, never an
 * exception: the caller polls with the core waiter until it is ready or its own limit runs out.
 */

export interface TcpProbeOptions {
  host: string;
  port: number;
  /** The server's first bytes must start with this (e.g. "SSH-"); unset: a connection is enough. */
  banner?: string;
  /** Longest wait for the connection, and then for the greeting, ms. */
  timeoutMs: number;
  signal?: AbortSignal;
}

export type TcpProbeResult = { ready: true } | { ready: false; reason: string };

const SOCKET_ERRORS: Record<string, string> = {
  ECONNREFUSED: "connection refused",
  ECONNRESET: "connection reset",
  ETIMEDOUT: "connection timed out",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
  EHOSTDOWN: "host down",
  ENOTFOUND: "name not resolved",
  EAI_AGAIN: "name not resolved (temporary)",
};

function socketErrorReason(e: Error & { code?: string }): string {
  return (e.code && SOCKET_ERRORS[e.code]) ?? e.code ?? e.message;
}

/** Printable text of a greeting for messages: its first line, at most 60 characters. */
function shown(bytes: Buffer): string {
  const line = bytes.toString("utf8").split(/\r?\n/)[0];
  return JSON.stringify(line.length > 60 ? `${line.slice(0, 60)}…` : line);
}

/** `203.0.113.7:22`, `[2001:db8::1]:22`. */
export function hostPort(host: string, port: number): string {
  return net.isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`;
}

export function probeTcp(opts: TcpProbeOptions): Promise<TcpProbeResult> {
  return new Promise((resolve) => {
    const expected = opts.banner ? Buffer.from(opts.banner, "utf8") : undefined;
    let received = Buffer.alloc(0);
    let connected = false;
    let settled = false;
    const socket = new net.Socket();
    const seconds = Math.round(opts.timeoutMs / 100) / 10;
    const finish = (r: TcpProbeResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener("abort", onAbort);
      socket.destroy();
      resolve(r);
    };
    const onAbort = () => finish({ ready: false, reason: "cancelled" });
    const timer = setTimeout(
      () => finish({ ready: false, reason: connected ? `no greeting within ${seconds} s` : `no connection within ${seconds} s` }),
      opts.timeoutMs,
    );
    socket.on("error", (e) => finish({ ready: false, reason: socketErrorReason(e) }));
    socket.on("close", () =>
      finish({
        ready: false,
        reason: connected
          ? `closed after ${received.length ? `the partial greeting ${shown(received)}` : "connecting, with no greeting"}`
          : "connection closed",
      }),
    );
    socket.on("connect", () => {
      connected = true;
      if (!expected) finish({ ready: true });
    });
    if (expected) {
      socket.on("data", (chunk: Buffer) => {
        received = Buffer.concat([received, chunk]);
        const n = Math.min(received.length, expected.length);
        // A difference in the bytes so far settles it without waiting for the rest.
        if (!received.subarray(0, n).equals(expected.subarray(0, n)))
          finish({ ready: false, reason: `greeting ${shown(received)} does not start with ${JSON.stringify(opts.banner)}` });
        else if (received.length >= expected.length) finish({ ready: true });
      });
    }
    if (opts.signal?.aborted) {
      onAbort();
      return;
    }
    opts.signal?.addEventListener("abort", onAbort, { once: true });
    socket.connect({ host: opts.host, port: opts.port });
  });
}

export type HostLookup = (host: string) => Promise<{ address: string }>;

const systemLookup: HostLookup = (host) => dns.promises.lookup(host);

/** Why connections to an IP address can never succeed (a range no host answers from), or undefined. */
function unreachableRange(ip: string): string | undefined {
  if (net.isIPv4(ip)) {
    const [a] = ip.split(".").map(Number);
    if (a === 0) return `${ip} is in 0.0.0.0/8 ("this network"), which no connection can reach`;
    if (a >= 224 && a <= 239) return `${ip} is a multicast address (224.0.0.0/4), which accepts no TCP connection`;
    if (a >= 240) return `${ip} is in the reserved range 240.0.0.0/4 (or the broadcast address), which no connection can reach`;
    return undefined;
  }
  const lower = ip.toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (mapped) return unreachableRange(mapped[1]);
  if (/^(0*:)*:?0*$/.test(lower)) return `${ip} is the unspecified IPv6 address, which no connection can reach`;
  if (lower.startsWith("ff")) return `${ip} is an IPv6 multicast address (ff00::/8), which accepts no TCP connection`;
  return undefined;
}

const HOST_LABEL = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$/;

/**
 * Why `address` (an IP address or a host name given in a program) can never be connected to, or
 * undefined: malformed, in a range no host answers from, or a name the resolver says does not exist.
 * A resolver that cannot answer now (no network during a preview) is no verdict: the wait will try.
 */
export async function addressProblem(address: string, lookup: HostLookup = systemLookup): Promise<string | undefined> {
  if (net.isIP(address)) return unreachableRange(address);
  if (/^\[.*\]$/.test(address)) return `"${address}": give an IPv6 address without brackets`;
  if (/:\d+$/.test(address) && !address.includes("::")) return `"${address}": give the address alone and the port in readiness.port`;
  const name = address.endsWith(".") ? address.slice(0, -1) : address;
  if (/^[\d.]+$/.test(name)) return `"${address}" is not a valid IPv4 address`;
  if (name.length === 0 || name.length > 253 || !name.split(".").every((l) => HOST_LABEL.test(l)))
    return `"${address}" is neither an IP address nor a host name`;
  let resolved: string;
  try {
    resolved = (await lookup(name)).address;
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === "ENOTFOUND" || code === "ENODATA") return `"${address}" does not resolve (${code})`;
    return undefined;
  }
  const range = unreachableRange(resolved);
  return range ? `"${address}" resolves to ${range}` : undefined;
}
