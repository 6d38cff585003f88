import { render, screen, within } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { salesObjects } from "~/testing/fixtures";
import { fakeMetadata } from "~/testing/schema";
import { wrapper } from "~/testing/wrapper";
import { KpiFigure } from "../KpiFigure";
import { PivotTable } from "../PivotTable";
import { ReportTable } from "../ReportTable";
import type { ReportResult } from "../types";

const Wrapper = wrapper(fakeMetadata(salesObjects));

const result: ReportResult = {
  columns: [
    { key: "stage", label: "阶段", kind: "group", field: "stage" },
    { key: "hot", label: "重点", kind: "group", field: "hot" },
    { key: "sum:amount", label: "金额合计", kind: "measure", field: "amount", function: "SUM", type: "currency" },
  ],
  rows: [
    { keys: [{ field: "stage", value: "new", label: "新建" }, { field: "hot", value: true, label: "是" }], values: [1234.5] },
    { keys: [{ field: "stage", value: null, label: "（空）" }, { field: "hot", value: false, label: "否" }], values: [null] },
  ],
  hasMore: false,
  scanned: 2,
};

describe("ReportTable", () => {
  it("names the groups, writes figures exact and right-aligned, and opens a row's records", () => {
    const drill = vi.fn();
    render(<ReportTable result={result} lang="zh" allText="全部" onDrill={drill} />, { wrapper: Wrapper });
    const rows = screen.getAllByRole("link");
    expect(within(rows[0]).getByText("¥1,234.50").className).toContain("num");
    expect(within(rows[1]).getByText("空值")).toBeTruthy();
    expect(within(rows[1]).getByText("--")).toBeTruthy();
    rows[1].click();
    expect(drill).toHaveBeenCalledWith(1);
  });
});

describe("PivotTable", () => {
  it("lays out rows and columns with totals", () => {
    const drill = vi.fn();
    render(<PivotTable result={result} lang="zh" totalText="合计" allText="全部" onDrill={drill} />, { wrapper: Wrapper });
    expect(screen.getByRole("columnheader", { name: "是" })).toBeTruthy();
    expect(screen.getByRole("columnheader", { name: "否" })).toBeTruthy();
    expect(screen.getByRole("rowheader", { name: "空值" })).toBeTruthy();
    const foot = screen.getByRole("rowheader", { name: "合计" }).closest("tr")!;
    expect(within(foot).getAllByText("¥1,234.50")).toHaveLength(2);
    screen.getAllByRole("link")[0].click();
    expect(drill).toHaveBeenCalledWith([result.rows[0].keys[0], result.rows[0].keys[1]]);
  });
});

describe("KpiFigure", () => {
  it("shows the figure compact with the exact value at hand", () => {
    const kpi: ReportResult = { ...result, columns: [result.columns[2]], rows: [{ keys: [], values: [35000000] }] };
    render(<KpiFigure result={kpi} lang="zh" />, { wrapper: Wrapper });
    const fig = screen.getByText("¥3,500万");
    expect(fig.getAttribute("data-exact")).toBe("¥35,000,000.00");
    expect(screen.getByText("金额合计")).toBeTruthy();
  });
});
