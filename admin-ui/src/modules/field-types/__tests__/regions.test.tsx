import { act, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { AddressInput } from "@/field-types/AddressInput";
import type { AddressValue } from "@/field-types/format";
import { addressOfPath, loadRegions, regionPath, sixDigits, type Region } from "@/field-types/regions";
import { fakeMetadata } from "~/testing/schema";
import { salesObjects } from "~/testing/fixtures";
import { wrapper } from "~/testing/wrapper";

function child(options: Region[] | undefined, label: string): Region {
  const r = options?.find((o) => o.label === label);
  if (!r) throw new Error(`no ${label}`);
  return r;
}

describe("address regions", () => {
  it("carries six-digit GB/T 2260 codes; a municipality's city is the municipality", async () => {
    const regions = await loadRegions();
    const gd = child(regions, "广东省");
    expect(gd.code).toBe("440000");
    const sz = child(gd.children, "深圳市");
    expect(sz.code).toBe("440300");
    expect(child(sz.children, "南山区").code).toBe("440305");
    const bj = child(regions, "北京市");
    expect(bj.code).toBe("110000");
    expect(bj.children?.map((c) => [c.code, c.label])).toEqual([["110100", "北京市"]]);
    expect(child(bj.children?.[0].children, "朝阳区").code).toBe("110105");
    expect(sixDigits("44")).toBe("440000");
    expect(sixDigits("441900003")).toBe("441900003");
  }, 60000);

  it("finds an address's cascader path by code, else by name; foreign and unknown names stay as written", async () => {
    const regions = await loadRegions();
    expect(regionPath(regions, { provinceCode: "440000", cityCode: "440300", districtCode: "440305", province: "广东省" })).toEqual(["440000", "440300", "440305"]);
    expect(regionPath(regions, { province: "广东", city: "深圳市", district: "南山区" })).toEqual(["440000", "440300", "440305"]);
    // 重庆市's counties are under its second city level, 500200.
    expect(regionPath(regions, { provinceCode: "500000", cityCode: "500200", districtCode: "500229" })).toEqual(["500000", "500200", "500229"]);
    expect(regionPath(regions, { province: "江苏省", city: "苏州市", district: "工业园区" })).toEqual(["320000", "320500", "工业园区"]);
    expect(regionPath(regions, { country: "美国", province: "California", city: "San Jose" })).toEqual(["California", "San Jose"]);
    expect(regionPath(regions, {})).toEqual([]);
  });

  it("sends the codes with the names of what was chosen; a township by name only", async () => {
    const regions = await loadRegions();
    const gd = child(regions, "广东省");
    const sz = child(gd.children, "深圳市");
    expect(addressOfPath([gd, sz, child(sz.children, "南山区")], undefined)).toEqual({
      country: "中国", province: "广东省", city: "深圳市", district: "南山区", provinceCode: "440000", cityCode: "440300", districtCode: "440305",
    });
    expect(addressOfPath([gd], "美国")).toMatchObject({ country: "中国", province: "广东省", provinceCode: "440000", cityCode: "", city: "" });
    const dg = child(gd.children, "东莞市");
    expect(addressOfPath([gd, dg, dg.children![0]], "中国")).toMatchObject({ cityCode: "441900", district: dg.children![0].label, districtCode: "" });
    expect(addressOfPath([], "中国")).toEqual({ country: "中国", province: "", city: "", district: "", provinceCode: "", cityCode: "", districtCode: "" });
  });

  it("the cascader shows a stored address and a choice sends codes with names", async () => {
    const md = fakeMetadata(salesObjects);
    let value: AddressValue | null = { province: "广东省", city: "深圳市", district: "南山区", provinceCode: "440000", cityCode: "440300", districtCode: "440305", street: "科技中一路" };
    const { container, rerender } = render(<AddressInput value={value} onChange={(v) => (value = v)} />, { wrapper: wrapper(md) });
    await waitFor(() => expect(container.querySelector(".ant-select-content, .ant-select-selection-item")?.textContent).toContain("南山区"), { timeout: 10000 });
    expect(container.textContent).toContain("广东省 / 深圳市 / 南山区");

    // Choose 北京市 / 北京市 / 朝阳区 in the menus.
    await act(async () => {
      fireEvent.mouseDown(container.querySelector(".ant-select")!);
    });
    for (const name of ["北京市", "北京市", "朝阳区"]) {
      const items = await screen.findAllByTitle(name, undefined, { timeout: 10000 });
      const item = items.filter((el) => el.closest(".ant-cascader-menu"))!;
      await act(async () => {
        fireEvent.click(item[item.length - 1]);
      });
      rerender(<AddressInput value={value} onChange={(v) => (value = v)} />);
    }
    expect(value).toEqual({
      country: "中国", province: "北京市", city: "北京市", district: "朝阳区", provinceCode: "110000", cityCode: "110100", districtCode: "110105", street: "科技中一路",
    });
  }, 60000); // the division data loads lazily; a busy machine may take a while
});
