import { describe, expect } from "vitest";
import { pick } from "./antd";
import { addUser, journey, openObject, shot, signIn, useServer } from "./harness";
import { create, day, field, read, refused, saved, typeDate } from "./trade";

// Class capacity in the browser, as a course consultant (课程顾问):
// enrolling a student into a full class is refused, in Chinese, and
// nobody is added; another class with seats takes the enrolment and
// counts it.

const server = useServer({ template: "education", records: 80 });

describe("education class capacity", () => {
  journey("refuses an enrolment into a full class, places it in one with seats", "desktop", async ({ page }) => {
    const s = server();
    const course = await create(s, "course", { code: "WT-MA", name: "网测思维数学", subject: "math" });
    const full = await create(s, "class", { code: "WT-MA-01", name: "网测满班", course, capacity: 1 });
    const open = await create(s, "class", { code: "WT-MA-02", name: "网测空班", course, capacity: 6 });
    const early = await create(s, "student", { name: "先报学员" });
    await create(s, "enrolment", { student: early, course, class: full, lessonsPurchased: 24, amount: 4800, paidOn: day(-1) });
    expect((await read<{ seatsLeft: number }>(s, "class", full, "seatsLeft")).seatsLeft).toBe(0);
    const student = "网测报名学员";
    await create(s, "student", { name: student });
    addUser(s, "consultant.desk", "吴顾问", "consultant");

    await signIn(page, s.url, "consultant.desk");
    await openObject(page, "报名订单");
    await page.getByRole("button", { name: "新建" }).click();
    await page.getByRole("heading", { name: "新建报名订单" }).waitFor();
    await pick(page, field(page, "学员"), student, student);
    await pick(page, field(page, "课程"), "网测思维数学", "网测思维");
    await pick(page, field(page, "分班"), "网测满班", "网测满班");
    await field(page, "购买课时").fill("24");
    await field(page, "实收金额（元）").fill("4800");
    await typeDate(page, "缴费日期", day());
    await page.getByRole("button", { name: "保存" }).click();
    await refused(page, "class", "班级已满");
    await shot(page, "trade-education-refused-desktop");
    expect((await read<{ enrolledCount: number }>(s, "class", full, "enrolledCount")).enrolledCount, "nobody added").toBe(1);

    await pick(page, field(page, "分班"), "网测空班", "网测空班");
    await page.getByRole("button", { name: "保存" }).click();
    await saved(page);
    await shot(page, "trade-education-enrolled-desktop");
    const c = await read<{ enrolledCount: number; seatsLeft: number }>(s, "class", open, "enrolledCount seatsLeft");
    expect(c.enrolledCount).toBe(1);
    expect(c.seatsLeft).toBe(5);
  });
});
