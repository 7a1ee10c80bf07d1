import { isVpsError, MemoryLogger } from "../../provider/core";
import { NetangelsClient } from "../../provider/netangels/client";
import type { NetangelsSimulator } from "../../simulator/netangels";
import { SEED_DATE, SEED_VOLUME_DATE, startNetangels, thrown } from "../support/netangels";
import { hostFixtures } from "../support/fixtures";

/** The NetAngels client against the simulator: documented paths, auth, retries by repeatability. */

let sim: NetangelsSimulator;
let client: NetangelsClient;
const fast = { maxAttempts: 4, baseDelayMs: 5, maxDelayMs: 20, maxRetryAfterMs: 2_000 };
beforeEach(async () => {
  sim = await startNetangels();
  client = new NetangelsClient({ token: sim.token, endpoint: sim.endpoint, retry: fast, logger: new MemoryLogger() });
});
afterEach(() => sim.stop());

interface Documented {
  title: string;
  method: string;
  url: string;
}
const endpoints = hostFixtures("netangels").read("endpoints.json") as Documented[];

/** The seed's URL template with values filled in; the volume rollback's leaked `{date}(\.\d+)?` becomes the date with its fraction. */
function expectedPath(url: string, date: string): string {
  return url
    .replace(/^https:\/\/api-ms\.netangels\.ru/, "")
    .replace("{date}(%5C.%5Cd+)%3F", date)
    .replace("{id}", "101")
    .replace("{volume_id}", "201")
    .replace("{date}", date);
}

describe("netangels client: every documented method", () => {
  const calls: Record<string, (c: NetangelsClient) => Promise<unknown>> = {
    "Список бекапов пользователя": (c) => c.listAccountBackups(),
    "Список бекапов для всех ВМ": (c) => c.listVms(),
    "Создание бекапа": (c) => c.createBackup(101),
    "Список бекапов для ВМ": (c) => c.listVmBackups(101),
    "Откат ВМ": (c) => c.rollbackVm(101, SEED_DATE),
    "Список файлов из бекапа на ВМ": (c) => c.listVmBackupFiles(101, SEED_DATE),
    "Получение архива файлов с ВМ": (c) => c.requestVmFilesArchive(101, SEED_DATE, ["/etc/hostname"]),
    "Список бекапов для дополнительного диска": (c) => c.listVolumeBackups(101, 201),
    "Откат дополнительного диска": (c) => c.rollbackVolume(101, 201, SEED_VOLUME_DATE),
    "Список файлов из бекапа на дополнительном диске": (c) => c.listVolumeBackupFiles(101, 201, SEED_VOLUME_DATE),
    "Получение архива файлов с дополнительного диска": (c) => c.requestVolumeFilesArchive(101, 201, SEED_VOLUME_DATE, ["/mnt/data/db/base.sql"]),
  };

  it("covers each method of the seed", () => {
    expect(Object.keys(calls).sort()).toEqual(endpoints.map((e) => e.title).sort());
  });

  it.each(endpoints.map((e) => [e.title, e] as const))("%s: sends the documented method and path and decodes the answer", async (title, e) => {
    const date = title.includes("дополнительн") ? SEED_VOLUME_DATE : SEED_DATE;
    sim.server.clearLog();
    const answer = await calls[title](client);
    expect(answer).toBeDefined();
    expect(sim.server.requests.map((r) => [r.method, r.path])).toEqual([[e.method, expectedPath(e.url, date)]]);
    expect(sim.server.requests[0].outcome).toBe("handled");
    // The seed documents no POST body; only an archive request carries one, the files it asks for.
    if (e.method === "POST")
      expect(sim.server.requests[0].body).toBe(
        title.startsWith("Получение архива") ? JSON.stringify({ files: [title.includes("дополнительн") ? "/mnt/data/db/base.sql" : "/etc/hostname"] }) : "",
      );
  });
});

describe("netangels client: auth, errors, retries", () => {
  it("a wrong token is a 401 'unauthorized' error that names where the token is set and never the token", async () => {
    const bad = new NetangelsClient({ token: "not-the-token-1234", endpoint: sim.endpoint, retry: fast });
    const e = await thrown(bad.listVms());
    expect(isVpsError(e, "unauthorized")).toBe(true);
    expect(e.message).toContain("Invalid token.");
    expect(e.message).toContain("netangels:token");
    expect(e.message).not.toContain("not-the-token-1234");
  });

  it("a field error (an archive request with no files) is 'invalid' and quotes the field with its message", async () => {
    const e = await thrown(client.requestVmFilesArchive(101, SEED_DATE, []));
    expect(isVpsError(e, "invalid")).toBe(true);
    expect(e.message).toContain(
      `netangels: POST /cloud/vms/101/backups/${SEED_DATE}/files/ failed; the host answered HTTP 400 files: This list may not be empty.`,
    );
  });

  it("an unknown VM is notFound", async () => {
    const e = await thrown(client.listVmBackups(999));
    expect(isVpsError(e, "notFound")).toBe(true);
  });

  it("getVm finds a VM in /cloud/backups/vms/, and a missing one is undefined", async () => {
    expect((await client.getVm(102))?.state).toBe("Stopped");
    expect(await client.getVm(999)).toBeUndefined();
  });

  it.each(["5xx", "429", "drop"] as const)("reads survive an injected %s", async (kind) => {
    sim.server.fail({ path: "/cloud/vms/101/backups/", method: "GET", kind, count: 2, retryAfter: 0 });
    const entries = await client.listVmBackups(101);
    expect(entries.map((e) => e.backup_date)).toContain(SEED_DATE);
    expect(sim.server.requestsTo("/cloud/vms/101/backups/", "GET")).toHaveLength(3);
  });

  it.each(["5xx", "drop"] as const)("a POST is not repeated after %s and says the outcome is unknown", async (kind) => {
    sim.server.fail({ path: "/cloud/vms/101/backup/", method: "POST", kind });
    const e = await thrown(client.createBackup(101));
    expect(isVpsError(e)).toBe(true);
    expect((e as unknown as { outcomeUnknown: boolean }).outcomeUnknown).toBe(true);
    expect(e.message).toMatch(/outcome is unknown/);
    expect(sim.server.requestsTo("/cloud/vms/101/backup/", "POST")).toHaveLength(1);
  });

  it("a POST is repeated after a 429 (refused unprocessed)", async () => {
    sim.server.fail({ path: "/cloud/vms/101/backup/", method: "POST", kind: "429", retryAfter: 0 });
    const vm = await client.createBackup(101);
    expect(vm.id).toBe(101);
    expect(sim.server.requestsTo("/cloud/vms/101/backup/", "POST").map((r) => r.outcome)).toEqual(["429", "handled"]);
  });

  it("a date that is not a backup date never reaches the network", async () => {
    await thrown(client.rollbackVm(101, "../../x"));
    expect(sim.server.requests).toHaveLength(0);
  });
});
