import { describe, expect } from "vitest";
import { pick } from "./antd";
import { addUser, expectNoHorizontalScroll, journey, openObject, shot, signIn, useServer } from "./harness";
import { create, day, field, read, refused, saved } from "./trade";

// Departure seats in the browser, as a travel consultant (旅游顾问): a
// deposit for more travellers than the departure has seats left is
// refused, in Chinese; kept as a quote instead, the booking goes on the
// waiting list (候补) and holds no seat.

const server = useServer({ template: "tourism", records: 80 });

describe("tourism departure seats", () => {
  for (const size of ["desktop", "phone"] as const) {
    journey("refuses a deposit beyond the seats left, puts the booking on the waiting list", size, async ({ page }) => {
      const s = server();
      const tag = size === "desktop" ? "A" : "B";
      const tour = await create(s, "tour", { code: `WT-YN-${tag}`, name: `网测云南6日${tag}`, destination: "yunnan", days: 6, price: 4999 });
      const code = `WT-DEP-${tag}`;
      const departure = await create(s, "departure", { code, tour, departureDate: day(45), seats: 3 });
      const early = await create(s, "traveller", { name: `先订旅客${tag}`, mobile: size === "desktop" ? "13912380001" : "13912380002" });
      await create(s, "booking", { traveller: early, departure, adults: 2, totalAmount: 10000, depositAmount: 2000, status: "deposit" });
      expect((await read<{ seatsLeft: number }>(s, "departure", departure, "seatsLeft")).seatsLeft).toBe(1);
      const traveller = `候补旅客${tag}`;
      await create(s, "traveller", { name: traveller, mobile: size === "desktop" ? "13912380003" : "13912380004" });
      addUser(s, `consultant.${size}`, "郑顾问", "travelConsultant");

      await signIn(page, s.url, `consultant.${size}`);
      await openObject(page, "出行订单");
      await page.getByRole("button", { name: "新建" }).click();
      await page.getByRole("heading", { name: "新建出行订单" }).waitFor();
      await pick(page, field(page, "预订人"), traveller, traveller);
      await pick(page, field(page, "团期"), code, code);
      await field(page, "成人数").fill("2");
      await field(page, "订单总额（元）").fill("10000");
      await field(page, "已付定金（元）").fill("2000");
      await pick(page, field(page, "订单状态"), "已付定金");
      await page.getByRole("button", { name: "保存" }).click();
      await refused(page, "departure", "团期余位不足");
      await shot(page, `trade-tourism-refused-${size}`);
      if (size === "phone") await expectNoHorizontalScroll(page);
      expect((await read<{ seatsLeft: number }>(s, "departure", departure, "seatsLeft")).seatsLeft, "no seat taken").toBe(1);

      // Kept as a quote, it waits for seats.
      await pick(page, field(page, "订单状态"), "已报价");
      await field(page, "已付定金（元）").fill("");
      await page.getByRole("button", { name: "保存" }).click();
      const id = await saved(page);
      await shot(page, `trade-tourism-waitlisted-${size}`);
      const b = await read<{ waitlisted: boolean; status: string }>(s, "booking", id, "waitlisted status");
      expect(b).toEqual({ waitlisted: true, status: "quoted" });
      expect((await read<{ seatsLeft: number }>(s, "departure", departure, "seatsLeft")).seatsLeft).toBe(1);
    });
  }
});
