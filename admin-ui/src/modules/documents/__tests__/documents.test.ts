import { describe, expect, it } from "vitest";
import { boardDocument, countDocument, createDocument, deleteDocument, listDocument, recordDocument, transferDocument, updateDocument } from "@/documents/documents";
import { relatedSpecs } from "@/record-page/recordQuery";
import { fakeMetadata } from "~/testing/schema";
import { salesObjects } from "~/testing/fixtures";

const squash = (s: string) => s.replace(/\s+/g, " ").trim();

describe("generated GraphQL documents", () => {
  const md = fakeMetadata(salesObjects, { sums: true, admin: true });
  const deal = md.byName.deal;

  it("lists with typed variables, lookups with their target's title, addresses with parts", () => {
    const doc = squash(listDocument(md, deal, ["title", "account", "contacts", "amount"]));
    expect(doc).toBe(
      squash(`query ListDeal($filter: DealFilter, $orderBy: [DealOrderBy!], $first: Int, $after: String, $view: String) {
        list: deals(filter: $filter, orderBy: $orderBy, first: $first, after: $after, view: $view) {
          nodes { id version ownerId createdAt updatedAt createdBy updatedBy title account { id name } contacts { id fullName } amount }
          pageInfo { hasNextPage endCursor } } }`),
    );
    expect(squash(listDocument(md, md.byName.account, ["address"]))).toContain("address { country province city district street postalCode provinceCode cityCode districtCode } name");
  });

  it("counts (and sums) apart from the rows", () => {
    expect(squash(countDocument(deal, "amount"))).toBe(
      'query CountDeal($filter: DealFilter, $view: String) { list: deals(filter: $filter, view: $view, first: 1) { totalCount sum(field: "amount") } }',
    );
  });

  it("reads a record with related lists, stage history and the audit trail", () => {
    const doc = squash(recordDocument(md, md.byName.account, { related: relatedSpecs(md, md.byName.account), history: true, audit: true }));
    expect(doc).toContain("query RecordAccount($id: ID!) { record: account(id: $id) {");
    expect(doc).toContain("rel_deals: deals(first: 5, orderBy: [{updatedAt: DESC}]) { totalCount nodes {");
    expect(doc).toContain("rel_contacts: contacts(first: 5");
    expect(doc).toContain("auditTrail(first: 50) { entries { id at actor door action version changes } hasNextPage endCursor }");
    expect(squash(recordDocument(md, deal, { history: true }))).toContain("stageHistory { id from to at by secondsInPrevious }");
  });

  it("writes through the object's mutations with its input types", () => {
    expect(squash(createDocument(md, deal))).toMatch(/^mutation CreateDeal\(\$input: DealInput!\) \{ record: createDeal\(input: \$input\) \{ id version/);
    expect(squash(updateDocument(md, deal))).toMatch(/^mutation UpdateDeal\(\$id: ID!, \$input: DealPatch!, \$version: Int\) \{ record: updateDeal\(id: \$id, input: \$input, version: \$version\)/);
    expect(squash(deleteDocument(deal, 2))).toBe("mutation DeleteDeal($id0: ID!, $id1: ID!) { d0: deleteDeal(id: $id0) d1: deleteDeal(id: $id1) }");
    expect(squash(transferDocument(deal))).toBe("mutation TransferDeal($owner: String!, $id0: ID!) { t0: transferDeal(id: $id0, owner: $owner) { id version ownerId } }");
  });

  it("reads a board with totals, the amount sum where offered, and cards", () => {
    const doc = squash(boardDocument(md, deal, "stage", ["amount", "account"], "amount"));
    expect(doc).toContain("columns: dealsByStage(filter: $filter, view: $view, first: $first) { stage { value } totalCount sum(field: \"amount\") nodes { id version");
    const noSum = fakeMetadata(salesObjects);
    expect(squash(boardDocument(noSum, noSum.byName.deal, "stage", [], "amount"))).not.toContain("sum(");
  });
});
