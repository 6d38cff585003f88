import { describe, expect } from "vitest";
import { pick } from "./antd";
import { addUser, expectNoHorizontalScroll, journey, openObject, shot, signIn, useServer } from "./harness";
import { create, day, field, read, refused, saved, typeDate } from "./trade";

// Appointment slots in the browser, as the front desk (前台): booking a
// doctor's 15-minute slot another visit holds is refused on the time, in
// Chinese, naming that visit; the next slot books.

const server = useServer({ template: "healthcare", records: 80 });

describe("healthcare slots", () => {
  for (const size of ["desktop", "phone"] as const) {
    journey("refuses a slot already taken, books a free one", size, async ({ page }) => {
      const s = server();
      const tag = size === "desktop" ? "甲" : "乙";
      const doctor = await create(s, "doctor", { staffNumber: `WT-${size}`, name: `号源网测医生${tag}`, department: "orthopedics" });
      const first = await create(s, "patient", { name: `先约患者${tag}`, gender: "female" });
      const patient = `后约患者${tag}`;
      await create(s, "patient", { name: patient, gender: "male" });
      // 09:00 in Shanghai in nine days is taken.
      const on = day(9);
      const held = await create(s, "visit", { patient: first, doctor, department: "orthopedics", type: "outpatient", scheduledAt: `${on}T09:00:00+08:00` });
      const { number } = await read<{ number: string }>(s, "visit", held, "number");
      addUser(s, `desk.${size}`, "周前台", "frontDesk");

      await signIn(page, s.url, `desk.${size}`);
      await openObject(page, "就诊记录");
      await page.getByRole("button", { name: "新建" }).click();
      await page.getByRole("heading", { name: "新建就诊记录" }).waitFor();
      await pick(page, field(page, "患者"), patient, patient);
      await pick(page, field(page, "接诊医生"), `号源网测医生${tag}`, "号源网测");
      await pick(page, field(page, "就诊科室"), "骨科");
      await pick(page, field(page, "就诊类型"), "初诊");
      await typeDate(page, "预约时间", `${on} 09:10`);
      await page.getByRole("button", { name: "保存" }).click();
      await refused(page, "scheduledAt", "已被预约");
      await page.locator("[data-field=scheduledAt] .field-errors", { hasText: number }).waitFor();
      await shot(page, `trade-healthcare-refused-${size}`);
      if (size === "phone") await expectNoHorizontalScroll(page);

      await typeDate(page, "预约时间", `${on} 09:15`);
      await page.getByRole("button", { name: "保存" }).click();
      const id = await saved(page);
      await shot(page, `trade-healthcare-booked-${size}`);
      const v = await read<{ slot: string; status: string }>(s, "visit", id, "slot status");
      expect(v.slot).toBe(`${doctor}@${new Date(`${on}T09:15:00+08:00`).toISOString()}`);
      expect(v.status).toBe("booked");
    });
  }
});
