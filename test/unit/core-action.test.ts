/**
 * provider/core/action.ts: what every action resource shares (confirm, triggers, operationTimeout,
 * read as the record, delete as nothing on the host), on a made-up action with no host behind it.
 */
import { z } from "zod";
import { defineAction } from "../../provider/core/action";
import { systemClock } from "../../provider/core/clock";
import { checkResource, deleteResource, diffResource, readResource } from "../../provider/core/lifecycle";
import { MemoryLogger } from "../../provider/core/log";
import type { HandlerContext, ResourceDefinition } from "../../provider/core/resource";

const operationTimeout = { schema: z.number().positive().optional(), description: "Seconds each wait may take.", createOnly: true };
const refreshed: string[] = [];

const wipe = defineAction({
  host: "h",
  type: "Wipe",
  description: "Wipes a disk.",
  confirm: "a wipe erases the disk",
  inputs: { diskId: { schema: z.number().int(), description: "The disk.", replaceOnChange: true } },
  operationTimeout,
  outputs: { wipedAt: { schema: z.number(), description: "When." } },
  run: async (inputs) => ({ id: `${inputs.diskId}/5`, outs: { ...inputs, wipedAt: 5 } }),
  fromId: (id) => ({ diskId: Number(id.split("/")[0]), wipedAt: Number(id.split("/")[1]) }),
  refresh: async (id, record) => (refreshed.push(id), record.diskId === 404 ? undefined : {}),
  forgotten: (state) => `disk ${state.diskId} is left as it is`,
});

const restart = defineAction({
  host: "h",
  type: "Restart",
  description: "Restarts.",
  inputs: { serverId: { schema: z.string(), description: "The server.", replaceOnChange: true } },
  operationTimeout,
  outputs: { restartedAt: { schema: z.number(), description: "When." } },
  run: async (inputs) => ({ id: inputs.serverId, outs: { ...inputs, restartedAt: 1 } }),
  forgotten: () => "forgotten",
});

const ctx = (): HandlerContext & { logger: MemoryLogger } => ({ logger: new MemoryLogger(), clock: systemClock, label: 'h:Wipe "w"' });
const def = (d: unknown) => d as ResourceDefinition;

describe("defineAction", () => {
  test("the shared inputs follow the action's own; no confirm for an action that destroys nothing", () => {
    expect(Object.keys(wipe.inputs)).toEqual(["diskId", "confirm", "triggers", "operationTimeout"]);
    expect(Object.keys(restart.inputs)).toEqual(["serverId", "triggers", "operationTimeout"]);
    expect(wipe.inputs.confirm.description).toBe("Must be true: a wipe erases the disk.");
    expect(wipe.inputs.triggers.description).toMatch(/unset and `\[\]` are the same/);
  });

  test("confirm must be true, saying why; a missing one says what type it expects", async () => {
    const missing = await checkResource(def(wipe), undefined, { diskId: 1 }, ctx());
    expect(missing.failures.map((f) => f.reason)).toEqual([
      expect.stringMatching(
        /^h:Wipe confirm: must be true: a wipe erases the disk; set confirm: true to say you mean it \(expected boolean, received undefined\)/,
      ),
    ]);
    const no = await checkResource(def(wipe), undefined, { diskId: 1, confirm: false }, ctx());
    expect(no.failures.map((f) => f.reason)).toEqual(["h:Wipe confirm: must be true: a wipe erases the disk; set confirm: true to say you mean it"]);
    expect((await checkResource(def(restart), undefined, { serverId: "1" }, ctx())).failures).toEqual([]);
  });

  test("triggers: a change runs the action again; unset and [] are the same", async () => {
    const olds = { diskId: 1, confirm: true, wipedAt: 5 };
    expect((await diffResource(def(wipe), olds, { diskId: 1, confirm: true, triggers: [] })).changes).toBe(false);
    expect((await diffResource(def(wipe), olds, { diskId: 1, confirm: true, triggers: ["x"] })).replaces).toEqual(["triggers"]);
    expect((await diffResource(def(wipe), olds, { diskId: 1, confirm: true, operationTimeout: 9 })).changes).toBe(false);
  });

  test("read is the record as written, filled from the id when the state is empty, dropped when refresh finds its object gone", async () => {
    const state = { diskId: 1, confirm: true, triggers: ["a"], wipedAt: 7, stale: "x" };
    expect(await readResource(def(wipe), "1/5", state, ctx())).toEqual({
      id: "1/5",
      inputs: { diskId: 1, confirm: true, triggers: ["a"] },
      outs: { diskId: 1, confirm: true, triggers: ["a"], wipedAt: 7 },
    });
    expect(await readResource(def(wipe), "3/9", {}, ctx())).toEqual({
      id: "3/9",
      inputs: { diskId: 3, confirm: true },
      outs: { diskId: 3, confirm: true, wipedAt: 9 },
    });
    expect(await readResource(def(wipe), "404/1", {}, ctx())).toBeUndefined();
    expect(refreshed).toEqual(["1/5", "3/9", "404/1"]);
  });

  test("delete does nothing but say so", async () => {
    const c = ctx();
    await deleteResource(def(wipe), "1/5", { diskId: 1 }, c);
    expect(c.logger.text()).toBe('info: h:Wipe "w": disk 1 is left as it is');
  });
});
