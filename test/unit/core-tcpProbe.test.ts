import * as net from "node:net";
import { addressProblem, hostPort, probeTcp } from "../../provider/core/tcpProbe";

/**
 * The readiness probe: one connection to 127.0.0.1 on an OS-chosen port, nothing written, the socket
 * always destroyed; refused / closed / silent / wrong greeting are "not ready" with a reason.
 */

interface Peer {
  port: number;
  /** Bytes the probe sent (must stay empty). */
  received: Buffer[];
  /** Connections whose client side went away. */
  closed: number;
  close(): Promise<void>;
}

async function peer(onConnection: (s: net.Socket) => void = () => {}): Promise<Peer> {
  const sockets = new Set<net.Socket>();
  const p: Peer = { port: 0, received: [], closed: 0, close: async () => {} };
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on("data", (d: Buffer) => p.received.push(d));
    s.on("error", () => {});
    s.on("close", () => {
      p.closed++;
      sockets.delete(s);
    });
    onConnection(s);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  p.port = (server.address() as net.AddressInfo).port;
  p.close = async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return p;
}

/** Until the server saw `n` connections close (event-loop turns, bounded). */
async function closedCount(p: Peer, n: number): Promise<number> {
  for (let i = 0; i < 500 && p.closed < n; i++) await new Promise((r) => setImmediate(r));
  return p.closed;
}

describe("probeTcp", () => {
  const peers: Peer[] = [];
  afterEach(async () => {
    await Promise.all(peers.splice(0).map((p) => p.close()));
  });
  const open = async (fn?: (s: net.Socket) => void) => {
    const p = await peer(fn);
    peers.push(p);
    return p;
  };

  test("a connection is enough without a banner; nothing is sent and the socket is closed", async () => {
    const p = await open();
    expect(await probeTcp({ host: "127.0.0.1", port: p.port, timeoutMs: 2_000 })).toEqual({ ready: true });
    expect(await closedCount(p, 1)).toBe(1);
    expect(p.received).toEqual([]);
  });

  test("a greeting that starts with the banner, even split over several packets", async () => {
    const p = await open((s) => {
      s.write("SS");
      setImmediate(() => s.write("H-2.0-OpenSSH_9.6\r\n"));
    });
    expect(await probeTcp({ host: "127.0.0.1", port: p.port, banner: "SSH-2.0-", timeoutMs: 2_000 })).toEqual({ ready: true });
    expect(await closedCount(p, 1)).toBe(1);
    expect(p.received).toEqual([]);
  });

  test("a different greeting is not ready, and says what was read", async () => {
    const p = await open((s) => s.write("HTTP/1.1 400 Bad Request\r\n\r\n"));
    expect(await probeTcp({ host: "127.0.0.1", port: p.port, banner: "SSH-", timeoutMs: 2_000 })).toEqual({
      ready: false,
      reason: 'greeting "HTTP/1.1 400 Bad Request" does not start with "SSH-"',
    });
    expect(await closedCount(p, 1)).toBe(1);
  });

  test("refused, closed at once, and silent are not ready", async () => {
    const gone = await peer();
    const freePort = gone.port;
    await gone.close();
    expect(await probeTcp({ host: "127.0.0.1", port: freePort, timeoutMs: 2_000 })).toEqual({ ready: false, reason: "connection refused" });

    const slammer = await open((s) => s.destroy());
    expect(await probeTcp({ host: "127.0.0.1", port: slammer.port, banner: "SSH-", timeoutMs: 2_000 })).toEqual({
      ready: false,
      reason: expect.stringMatching(/^(closed after connecting, with no greeting|connection reset)$/),
    });

    const silent = await open();
    expect(await probeTcp({ host: "127.0.0.1", port: silent.port, banner: "SSH-", timeoutMs: 100 })).toEqual({
      ready: false,
      reason: "no greeting within 0.1 s",
    });
    expect(await closedCount(silent, 1)).toBe(1);
  });

  test("an aborted signal ends the attempt with the socket closed", async () => {
    const silent = await open();
    const ac = new AbortController();
    const probe = probeTcp({ host: "127.0.0.1", port: silent.port, banner: "SSH-", timeoutMs: 10_000, signal: ac.signal });
    setImmediate(() => ac.abort());
    expect(await probe).toEqual({ ready: false, reason: "cancelled" });
    const pre = new AbortController();
    pre.abort();
    expect(await probeTcp({ host: "127.0.0.1", port: silent.port, timeoutMs: 10_000, signal: pre.signal })).toEqual({ ready: false, reason: "cancelled" });
  });
});

test("hostPort brackets IPv6", () => {
  expect(hostPort("203.0.113.7", 22)).toBe("203.0.113.7:22");
  expect(hostPort("2001:db8::1", 2222)).toBe("[2001:db8::1]:2222");
});

describe("addressProblem", () => {
  const noLookup = () => Promise.reject(new Error("no lookup expected"));

  test.each([
    ["0.0.0.0", /0\.0\.0\.0\/8/],
    ["0.1.2.3", /0\.0\.0\.0\/8/],
    ["224.0.0.1", /multicast/],
    ["239.255.255.250", /multicast/],
    ["255.255.255.255", /broadcast/],
    ["240.0.0.1", /reserved/],
    ["::", /unspecified/],
    ["0:0:0:0:0:0:0:0", /unspecified/],
    ["ff02::1", /multicast/],
    ["::ffff:224.0.0.1", /multicast/],
    ["300.1.2.3", /not a valid IPv4 address/],
    ["10.0.0", /not a valid IPv4 address/],
    ["[2001:db8::1]", /without brackets/],
    ["web.example.com:22", /port in readiness\.port/],
    ["bad host!", /neither an IP address nor a host name/],
    ["-bad.example.com", /neither an IP address nor a host name/],
    ["a..b", /neither an IP address nor a host name/],
  ])("%s is refused without a lookup", async (address, reason) => {
    expect(await addressProblem(address, noLookup)).toMatch(reason);
  });

  test.each(["203.0.113.7", "10.0.0.5", "127.1.0.2", "::1", "2001:db8::1", "::ffff:203.0.113.7"])("%s is accepted", async (address) => {
    expect(await addressProblem(address, noLookup)).toBeUndefined();
  });

  test("names: one that does not exist is refused, one resolving to 0.0.0.0 too; a resolver that cannot answer now is no verdict", async () => {
    const fail = (code: string) => () => Promise.reject(Object.assign(new Error(code), { code }));
    expect(await addressProblem("nowhere.invalid", fail("ENOTFOUND"))).toBe('"nowhere.invalid" does not resolve (ENOTFOUND)');
    expect(await addressProblem("sinkhole.example", () => Promise.resolve({ address: "0.0.0.0" }))).toMatch(
      /^"sinkhole\.example" resolves to 0\.0\.0\.0 is in 0\.0\.0\.0\/8/,
    );
    expect(await addressProblem("web.example.com.", () => Promise.resolve({ address: "203.0.113.7" }))).toBeUndefined();
    expect(await addressProblem("offline.example", fail("EAI_AGAIN"))).toBeUndefined();
    expect(await addressProblem("localhost")).toBeUndefined();
  });
});
