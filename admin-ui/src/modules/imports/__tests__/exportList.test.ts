import { describe, expect, it } from "vitest";
import { exportAsJob, exportJobThreshold, exportUrl, followExportJob, searchFilter, type ExportJob } from "@/imports/exportList";
import { fakeMetadata } from "~/testing/schema";
import { salesObjects } from "~/testing/fixtures";

const md = fakeMetadata(salesObjects);
const deal = md.byName.deal;

const query = (url: string) => Object.fromEntries(new URL(url, "http://x").searchParams);

describe("export of a list", () => {
  it("asks for what the list shows: filter, order, columns, language", () => {
    const url = exportUrl(
      deal,
      {
        filter: { and: [{ field: "stage", op: "in", value: ["new"] }, { field: "amount", op: "gte", value: 1000 }] },
        sort: [{ field: "amount", desc: true }, { field: "title", desc: false }],
        columns: ["title", "amount", "ownerId"],
        search: "",
      },
      "csv",
      "zh",
    );
    expect(url.startsWith("/exports/deal?")).toBe(true);
    const q = query(url);
    expect(q.format).toBe("csv");
    expect(JSON.parse(q.filter)).toEqual({ and: [{ field: "stage", op: "in", value: ["new"] }, { field: "amount", op: "gte", value: 1000 }] });
    expect(q.sort).toBe("-amount,title");
    expect(q.columns).toBe("title,amount,ownerId"); // the record's owner, whatever fields are called
    expect(q.lang).toBe("zh");
  });

  it("adds the quick search to the filter and leaves out what is not set", () => {
    const q = query(exportUrl(deal, { columns: [], search: " 华为 " }, "xlsx", "en"));
    expect(JSON.parse(q.filter)).toEqual({
      or: [
        { field: "title", op: "contains", value: "华为" },
        { field: "number", op: "contains", value: "华为" },
        { field: "email", op: "contains", value: "华为" },
      ],
    });
    expect(q.sort).toBeUndefined();
    expect(q.columns).toBeUndefined();
    expect(q.format).toBe("xlsx");
  });

  it("ands the search with the view's filter", () => {
    const q = query(exportUrl(md.byName.contact, { filter: { field: "account", op: "eq", value: "a1" }, columns: ["fullName"], search: "王" }, "csv", "zh"));
    expect(JSON.parse(q.filter)).toEqual({ and: [{ field: "account", op: "eq", value: "a1" }, { field: "fullName", op: "contains", value: "王" }] });
  });

  it("searches nothing for blank text", () => {
    expect(searchFilter(deal, "  ")).toBeUndefined();
  });

  it("exports a large list as a job and follows it to its file", async () => {
    expect(exportAsJob(undefined)).toBe(false);
    expect(exportAsJob(exportJobThreshold)).toBe(false);
    expect(exportAsJob(exportJobThreshold + 1)).toBe(true);
    const job = (status: string, done: number, file?: ExportJob["file"]): ExportJob => ({ job: "j", object: "deal", status, done, total: 3000, file });
    const file = { name: "deal.xlsx", size: 10, rows: 3000, url: "/exports/jobs/j/file" };
    const answers = [job("running", 1000), job("done", 3000, file)];
    const seen: number[] = [];
    const last = await followExportJob(job("running", 0), async () => answers.shift()!, (j) => seen.push(j.done), async () => {});
    expect(last.file).toEqual(file);
    expect(seen).toEqual([0, 1000]);
    const failed = await followExportJob(job("running", 0), async () => ({ ...job("failed", 0), error: "boom" }), () => {}, async () => {});
    expect(failed.error).toBe("boom");
  });
});

