import { fireEvent, render, screen, waitFor } from "@testing-library/react";
import { beforeEach, describe, expect, it, vi } from "vitest";

// Rendering antd's select and waiting out the search's 300 ms debounce
// takes seconds on a busy machine: the tests wait as long as they need.
vi.setConfig({ testTimeout: 60_000 });
import type { ObjectDefinitionData } from "@/metadata/model";
import { fakeMetadata } from "~/testing/schema";
import { wrapper } from "~/testing/wrapper";

// The user field type in the web app: its metadata, its display by the
// person's display name (also for someone past the directory's first
// page), its input (a search of the directory, clearable unless required)
// and its filter conditions.

type Person = { username: string; displayName: string; team: string | null };

const colleagues: Person[] = [
  { username: "wang.fang", displayName: "王芳", team: "华东销售" },
  { username: "zhang.wei", displayName: "张伟", team: null },
  { username: "li", displayName: "李雷", team: "华东销售" },
];
let directory: Person[] = colleagues;
const searches: (string | null)[] = [];

vi.mock("@/api/client", async (importOriginal) => ({
  ...(await importOriginal<typeof import("@/api/client")>()),
  gql: async (req: { query: string; variables?: { search?: string | null } }) => {
    if (!req.query.includes("userDirectory")) throw new Error("unexpected " + req.query);
    const s = (req.variables?.search ?? "").toLowerCase();
    searches.push(req.variables?.search ?? null);
    const found = directory.filter((p) => !s || p.username.includes(s) || p.displayName.toLowerCase().includes(s));
    return { userDirectory: found.slice(0, 100) };
  },
}));

const { FieldInput } = await import("@/field-types/FieldInput");
const { FieldValue } = await import("@/field-types/FieldValue");
const { formatValue } = await import("@/field-types/format");
const { offeredOps, toGraphQLFilter } = await import("@/records/filters");
const { conditionText } = await import("@/records/conditionText");
const { UserSelect } = await import("@/users/UserSelect");

const lead: ObjectDefinitionData = {
  name: "lead",
  version: 1,
  label: { zh: "线索", en: "Lead" },
  definition: {
    type: "object",
    properties: {
      name: { type: "string", "x-crm-type": "text", "x-crm-label": { zh: "名称", en: "Name" } },
      consultant: { type: "string", "x-crm-type": "user", "x-crm-label": { zh: "顾问", en: "Consultant" } },
      reviewer: { type: "string", "x-crm-type": "user", "x-crm-label": { zh: "复核人", en: "Reviewer" } },
    },
    required: ["name", "reviewer"],
  },
  access: { read: true, create: true, update: true, delete: true, readOnlyFields: [], maskedFields: [] },
};

const md = fakeMetadata([lead]);
md.rootQueries.add("userDirectory");
const obj = md.byName.lead;

beforeEach(() => {
  directory = colleagues;
  searches.length = 0;
});

describe("a user field in metadata", () => {
  it("is of type and kind user, filtered like a value of the tenant's people", () => {
    const f = obj.byName.consultant;
    expect([f.type, f.kind]).toEqual(["user", "user"]);
    expect(offeredOps(f)).toEqual(["in", "eq", "ne", "nin", "isNull"]);
    expect(toGraphQLFilter(obj, [{ field: "consultant", op: "in", value: ["user:wang.fang", "user:li"] }])).toEqual({
      consultant: { in: ["user:wang.fang", "user:li"] },
    });
  });
});

describe("a user field's value", () => {
  const show = (value: unknown) => render(<FieldValue field={obj.byName.consultant} value={value} compact />, { wrapper: wrapper(md) }).container;

  it("shows the person's display name, the user name of someone not in the directory, and -- when empty", async () => {
    show("user:wang.fang");
    await waitFor(() => expect(screen.getByText("王芳")).toBeTruthy(), { timeout: 30_000 });
    show("user:gone.user");
    expect(screen.getByText("gone.user")).toBeTruthy();
    expect(show(null).textContent).toBe("--");
  });

  it("looks up someone beyond the directory's first page by name", async () => {
    directory = [...Array.from({ length: 120 }, (_, i) => ({ username: `u${String(i).padStart(3, "0")}`, displayName: `同事${i}`, team: null })), { username: "zz.late", displayName: "晚到的人", team: null }];
    show("user:zz.late");
    await waitFor(() => expect(screen.getByText("晚到的人")).toBeTruthy(), { timeout: 30_000 });
    expect(searches).toContain("zz.late");
  });

  it("is the user name as text (exports, tooltips) and in a filter tag without the names the editor kept", () => {
    expect(formatValue(obj.byName.consultant, "user:wang.fang", "zh")).toBe("wang.fang");
    expect(conditionText(obj, { field: "consultant", op: "in", value: ["user:wang.fang", "user:li"], titles: { "user:wang.fang": "王芳" } }, "zh")).toBe("顾问 属于 王芳、li");
    expect(conditionText(obj, { field: "consultant", op: "isNull", value: true }, "zh")).toBe("顾问 为空");
    // "$user" (a view such as 我的学员) is whoever looks at the list.
    expect(conditionText(obj, { field: "consultant", op: "eq", value: "$user" }, "zh")).toBe("顾问 等于 我");
    expect(conditionText(obj, { field: "consultant", op: "in", value: ["$user", "user:li"], titles: { "user:li": "李雷" } }, "zh")).toBe("顾问 属于 我、李雷");
  });
});

describe("a user field's input", () => {
  function input(name: "consultant" | "reviewer", value: string | null, onChange = vi.fn()) {
    const { container } = render(<FieldInput field={obj.byName[name]} value={value} onChange={onChange} id={`f-${name}`} />, { wrapper: wrapper(md) });
    return { container, onChange };
  }

  it("searches the directory as the user types and gives user:NAME of the one picked, with user name and team beside the name", async () => {
    const { container, onChange } = input("consultant", null);
    expect(container.querySelector(".ant-select-show-search")).not.toBeNull();
    const box = screen.getByRole("combobox");
    fireEvent.mouseDown(box);
    fireEvent.change(box, { target: { value: "wang" } });
    await waitFor(() => expect(searches).toContain("wang"), { timeout: 30_000 });
    const option = await waitFor(() => {
      const o = document.querySelector<HTMLElement>('.ant-select-item-option[title="王芳 · wang.fang · 华东销售"]');
      expect(o).not.toBeNull();
      return o!;
    }, { timeout: 30_000 });
    expect(option.textContent).toBe("王芳wang.fang · 华东销售");
    fireEvent.click(option);
    expect(onChange).toHaveBeenCalledWith("user:wang.fang");
  });

  it("shows the chosen person by name and may be cleared unless required", async () => {
    const { container, onChange } = input("consultant", "user:zhang.wei");
    await waitFor(() => expect(container.textContent).toContain("张伟"), { timeout: 30_000 });
    const clear = container.querySelector(".ant-select-clear");
    expect(clear).not.toBeNull();
    fireEvent.mouseDown(clear!);
    fireEvent.click(clear!);
    expect(onChange).toHaveBeenCalledWith(null);

    const required = input("reviewer", "user:li").container;
    await waitFor(() => expect(required.textContent).toContain("李雷"), { timeout: 30_000 });
    expect(required.querySelector(".ant-select-clear")).toBeNull();
  });
});

describe("the picker's 我 option", () => {
  it("comes first where given and stands for the signed-in user as $user", async () => {
    const onChange = vi.fn();
    render(<UserSelect value={[]} multiple me="我" onChange={onChange} ariaLabel="值" />, { wrapper: wrapper(md) });
    fireEvent.mouseDown(screen.getByRole("combobox"));
    const first = await waitFor(() => {
      const o = document.querySelectorAll<HTMLElement>(".ant-select-item-option");
      expect(o.length).toBe(4);
      return o[0];
    }, { timeout: 30_000 });
    expect(first.textContent).toBe("我");
    fireEvent.click(first);
    expect(onChange).toHaveBeenCalledWith(["$user"], { $user: "我" });
  });
});
