import { describe, expect } from "vitest";
import { pick } from "./antd";
import { addUser, journey, openObject, shot, signIn, useServer } from "./harness";
import { create, day, field, read, refused, saved, typeDate } from "./trade";

// Dangerous goods in the browser, as logistics (物流调度): a delivery of a
// dangerous product to a customer whose hazardous-chemicals licence has
// expired is refused, in Chinese, naming the date; the same contract's
// harmless product ships.

const server = useServer({ template: "chemical", records: 80 });

describe("chemical licence", () => {
  journey("refuses dangerous goods for an expired licence, plans a harmless delivery", "desktop", async ({ page }) => {
    const s = server();
    const expiry = day(-6);
    const customer = await create(s, "customer", {
      name: "网测嘉兴新材料有限公司",
      creditLimit: 1000000,
      status: "active",
      hazmatLicence: "浙嘉安经（2024）字00999",
      licenceExpiry: expiry,
    });
    const hazardous = await create(s, "product", { code: "WT-EA", name: "网测乙酸乙酯", category: "solvents", hazardClass: "class3", unNumber: "UN1173", msdsUrl: "https://msds.example.com.cn/WT-EA" });
    const harmless = await create(s, "product", { code: "WT-PP", name: "网测聚丙烯", category: "polymers", hazardClass: "none" });
    // Signed while the licence was valid: within the customer's credit,
    // the signing approval passes at once.
    const contract = await create(s, "contract", {
      title: "网测年度供货合同",
      customer,
      products: [hazardous, harmless],
      amount: 200000,
      quantityTons: 20,
      paymentTerms: "net30",
      status: "review",
      signedOn: day(-35),
      startDate: day(-35),
      endDate: day(330),
    });
    const approval = await s.gql<{ submitForApproval: { status: string } }>(
      `mutation($id: ID!) { submitForApproval(object: "contract", id: $id, process: "credit") { status } }`,
      { id: contract },
    );
    expect(approval.submitForApproval.status).toBe("approved");
    expect((await read<{ status: string }>(s, "contract", contract, "status")).status).toBe("signed");
    addUser(s, "logistics.desk", "冯调度", "logistics");

    await signIn(page, s.url, "logistics.desk");
    await openObject(page, "发货交付");
    await page.getByRole("button", { name: "新建" }).click();
    await page.getByRole("heading", { name: "新建发货交付" }).waitFor();
    await pick(page, field(page, "合同"), "网测年度供货合同", "网测年度");
    await pick(page, field(page, "产品牌号"), "网测乙酸乙酯", "网测乙酸");
    await field(page, "发货数量（吨）").fill("5");
    await typeDate(page, "计划发货日", day(4));
    await page.getByRole("button", { name: "保存" }).click();
    await refused(page, "customer", `危化品经营许可证已于 ${expiry} 到期`);
    await shot(page, "trade-chemical-refused-desktop");

    await pick(page, field(page, "产品牌号"), "网测聚丙烯", "网测聚丙");
    await page.getByRole("button", { name: "保存" }).click();
    const id = await saved(page);
    await shot(page, "trade-chemical-planned-desktop");
    const d = await read<{ customer: { id: string }; dangerousGoods: boolean; product: { id: string } }>(s, "delivery", id, "customer { id } dangerousGoods product { id }");
    expect(d.customer.id).toBe(customer);
    expect(d.product.id).toBe(harmless);
    expect(d.dangerousGoods).toBe(false);
  });
});
