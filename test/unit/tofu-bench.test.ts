import { END, median, renderTable, replaceSection, START, type EngineRun, type Sample } from "../../scripts/tofu-bench";

const sample = (applyMs: number, operationsMs: number, emptyPlanMs: number): Sample => ({
  applyMs,
  operationsMs,
  operations: ["VM_INSTALL 1.50 s"],
  emptyPlanMs,
});

describe("median", () => {
  it("takes the middle of an odd count and the mean of the two middles of an even one, whatever the order", () => {
    expect(median([9, 1, 5])).toBe(5);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});

describe("renderTable", () => {
  it("has one row per engine with the medians of its runs, wall ÷ operations and the rest", () => {
    const engines: EngineRun[] = [
      {
        engine: "OpenTofu v1.12.6, terraform-provider-vps (HCL)",
        apply: "tofu apply -auto-approve",
        emptyPlan: "tofu plan",
        samples: [sample(7000, 1500, 3600), sample(6000, 1500, 3500), sample(6370, 1500, 3540)],
      },
      {
        engine: "Pulumi v3.276.0, pulumi-resource-vps (YAML)",
        apply: "pulumi up --yes",
        emptyPlan: "pulumi preview",
        samples: [sample(9000, 1510, 4000), sample(8000, 1490, 4200), sample(12000, 1500, 3900)],
      },
    ];
    expect(renderTable(engines)).toEqual([
      "| engine | apply, wall | sum of operation times | wall ÷ operations | rest | empty plan right after |",
      "|---|---|---|---|---|---|",
      "| OpenTofu v1.12.6, terraform-provider-vps (HCL) | `tofu apply -auto-approve` 6.37 s | 1.50 s | 4.25 | 4.87 s | `tofu plan` 3.54 s |",
      "| Pulumi v3.276.0, pulumi-resource-vps (YAML) | `pulumi up --yes` 9.00 s | 1.50 s | 6.00 | 7.50 s | `pulumi preview` 4.00 s |",
    ]);
  });

  it("shows no ratio when the apply waited for no operation", () => {
    const [, , row] = renderTable([{ engine: "e", apply: "a", emptyPlan: "p", samples: [sample(2000, 0, 1000)] }]);
    expect(row).toBe("| e | `a` 2.00 s | 0.00 s | – | 2.00 s | `p` 1.00 s |");
  });
});

describe("replaceSection", () => {
  // Replacement patterns such as `$&` in figures or text are taken literally.
  const section = `${START}\nnew $& $'\n${END}`;

  it("replaces only what lies between the markers, keeping the text around them", () => {
    const text = `# Benchmarks\n\n## 6. other\n\n${START}\nold figures\n${END}\n\n## 8. after\n`;
    expect(replaceSection(text, section)).toBe(`# Benchmarks\n\n## 6. other\n\n${section}\n\n## 8. after\n`);
  });

  it("appends the section after one blank line when the file has no markers", () => {
    expect(replaceSection("# Benchmarks\n\n\n", section)).toBe(`# Benchmarks\n\n${section}\n`);
  });
});
