/**
 * Runs one Pulumi operation on an Automation API inline program, as a user's deployment script does:
 *
 *   node driver.js '{"workDir": ..., "stack": "dev", "project": "quickstart", "program": "/abs/index.js",
 *                    "op": "up" | "preview" | "refresh" | "previewRefresh" | "destroy", "opts": {...}}'
 *
 * or several in turn in the one process, with `"ops": [{"op": ..., "opts": {...}}, ...]` instead of op and opts.
 *
 * `@pulumi/pulumi` and the program's `pulumi-vps` both come from the program directory's node_modules
 * (the same copies a user's program would load). The CLI's output is streamed to stdout; after each
 * operation comes a line `@@E2E-RESULT <json>`: the summary, the stack outputs and every step that was
 * not `same` (from the engine's outputs events, so with a refresh's live values), without `__provider`,
 * and when the operation started and ended (ms since the epoch, as the simulators log requests).
 * Exits 1 when an operation fails (after printing it; the ones after it do not run).
 */
"use strict";
/* eslint-disable @typescript-eslint/no-require-imports -- run by plain node, outside any build */
const path = require("node:path");
const { createRequire } = require("node:module");

const spec = JSON.parse(process.argv[2]);
const fromProgram = createRequire(path.join(spec.workDir, "__driver__.js"));
const automation = fromProgram("@pulumi/pulumi/automation");

/** Properties without the serialized provider (the same long text in every dynamic resource). */
function props(values) {
  if (!values) return null;
  const rest = { ...values };
  delete rest.__provider;
  return rest;
}

function step(event) {
  const m = event.metadata;
  return {
    op: m.op,
    urn: m.urn,
    type: m.type,
    diffs: m.diffs ?? [],
    detailedDiff: m.detailedDiff ?? null,
    oldOutputs: props(m.old?.outputs),
    newOutputs: props(m.new?.outputs),
    newInputs: props(m.new?.inputs),
  };
}

async function main() {
  const program = async () => {
    delete require.cache[spec.program];
    return fromProgram(spec.program);
  };
  const stack = await automation.LocalWorkspace.selectStack({ stackName: spec.stack, projectName: spec.project, program }, { workDir: spec.workDir });
  // `ops: [{op, opts}, ...]` runs several operations in this one process, a result line each, to the first failure.
  for (const { op, opts } of spec.ops ?? [{ op: spec.op, opts: spec.opts }]) {
    if (!(await runOp(stack, op, opts))) process.exit(1);
  }
  process.exit(0);
}

async function runOp(stack, op, givenOpts) {
  const steps = [];
  const diagnostics = [];
  // The changed properties are named in a step's pre-event; its outputs event may leave them out.
  const diffsSeen = new Map();
  const opts = {
    ...givenOpts,
    onOutput: (text) => process.stdout.write(text),
    onEvent: (event) => {
      // A step's final old and new states (a refresh's live values among them) come with its outputs event.
      if (event.resourcePreEvent) diffsSeen.set(event.resourcePreEvent.metadata.urn, event.resourcePreEvent.metadata.diffs ?? []);
      if (event.resOutputsEvent && event.resOutputsEvent.metadata.op !== "same") {
        const s = step(event.resOutputsEvent);
        if (s.diffs.length === 0) s.diffs = diffsSeen.get(s.urn) ?? [];
        steps.push(s);
      }
      if (event.resOpFailedEvent) steps.push({ ...step(event.resOpFailedEvent), failed: true });
      if (event.diagnosticEvent && event.diagnosticEvent.severity !== "debug")
        diagnostics.push({ severity: event.diagnosticEvent.severity, urn: event.diagnosticEvent.urn, message: event.diagnosticEvent.message });
    },
  };
  const result = { steps, diagnostics, startedAt: Date.now() };
  try {
    let r;
    if (op === "up") r = await stack.up(opts);
    else if (op === "preview") r = await stack.preview(opts);
    else if (op === "refresh") r = await stack.refresh(opts);
    else if (op === "previewRefresh") r = await stack.previewRefresh(opts);
    else if (op === "destroy") r = await stack.destroy(opts);
    else throw new Error(`unknown op ${op}`);
    result.ok = true;
    result.changeSummary = r.changeSummary ?? r.summary?.resourceChanges ?? null;
    result.outputs = r.outputs ?? null;
  } catch (e) {
    result.ok = false;
    result.error = e instanceof Error ? e.message : String(e);
  }
  result.endedAt = Date.now();
  process.stdout.write(`\n@@E2E-RESULT ${JSON.stringify(result)}\n`);
  return result.ok;
}

main().catch((e) => {
  process.stderr.write(`driver: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(2);
});
