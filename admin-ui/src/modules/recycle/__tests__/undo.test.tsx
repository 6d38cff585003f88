import { fireEvent, render, screen, waitFor } from "@testing-library/react";
import type { ReactNode } from "react";
import { beforeEach, describe, expect, it, vi } from "vitest";

const calls: { query: string; variables?: Record<string, unknown> }[] = [];
let retention = 30;
let restoreAnswer: unknown[] = [];

vi.mock("@/api/client", () => ({
  gql: async (req: { query: string; variables?: Record<string, unknown> }) => {
    calls.push(req);
    if (req.query.includes("recycleBinSettings")) return { recycleBinSettings: { retentionDays: retention } };
    if (req.query.includes("restoreDeleted")) return { restoreDeleted: restoreAnswer };
    throw new Error("unexpected " + req.query);
  },
}));

const { deletedToast } = await import("@/recycle/undo");

function fakeMessage() {
  const shown: { kind: string; content: ReactNode }[] = [];
  const toast = (kind: string) => (content: ReactNode) => void shown.push({ kind, content });
  return { shown, message: { success: toast("success"), error: toast("error"), info: toast("info") } };
}

describe("the toast of a delete", () => {
  beforeEach(() => {
    calls.length = 0;
    restoreAnswer = [];
  });

  it("offers 撤销, which restores what was deleted", async () => {
    retention = 30;
    const { shown, message } = fakeMessage();
    const onRestored = vi.fn();
    restoreAnswer = [{ id: "a", object: "account", restored: true, clearedLookups: [], referencesNotRestored: 0, error: null }];
    await deletedToast({ message, lang: "zh", ids: ["a"], onRestored });
    expect(shown).toHaveLength(1);
    render(<>{shown[0].content}</>);
    expect(screen.getByText("已删除，可在回收站中恢复")).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "撤销" }));
    await waitFor(() => expect(onRestored).toHaveBeenCalled());
    expect(calls.find((c) => c.query.includes("restoreDeleted"))?.variables).toEqual({ ids: ["a"] });
    expect(shown[1]).toEqual({ kind: "success", content: "已撤销删除" });
  });

  it("says why an undo failed", async () => {
    retention = 30;
    const { shown, message } = fakeMessage();
    restoreAnswer = [{ id: "a", object: null, restored: false, clearedLookups: [], referencesNotRestored: 0, error: { code: "CONFLICT", message: "名称已被使用" } }];
    await deletedToast({ message, lang: "en", ids: ["a"], onRestored: () => {} });
    render(<>{shown[0].content}</>);
    fireEvent.click(screen.getByRole("button", { name: "Undo" }));
    await waitFor(() => expect(shown[1]).toEqual({ kind: "error", content: "Not restored: 名称已被使用" }));
  });

  it("offers nothing to undo when the tenant's bin is off", async () => {
    retention = 0;
    const { shown, message } = fakeMessage();
    await deletedToast({ message, lang: "zh", ids: ["a", "b"], onRestored: () => {} });
    expect(shown).toEqual([{ kind: "success", content: "已彻底删除 2 条" }]);
  });
});
