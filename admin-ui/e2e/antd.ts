import type { Locator, Page } from "playwright-core";

// Driving Ant Design controls as a user does: open, type, pick from the
// popup (which antd renders outside the control).

// press clicks with a mouse and taps on a touch screen (antd's selects
// open on the touch events a phone sends).
export async function press(page: Page, control: Locator): Promise<void> {
  if (await page.evaluate(() => navigator.maxTouchPoints > 0)) await control.tap();
  else await control.click();
}

//
// It then checks that the select shows the option: on a busy machine a
// press on an option that is still sliding in can land on nothing (the
// select then keeps its old value and the test goes on with the wrong
// one), so a pick that did not take is made again, up to three times.
export async function pick(page: Page, control: Locator, option: string, search?: string): Promise<void> {
  const select = control.locator("xpath=ancestor-or-self::*[contains(concat(' ', normalize-space(@class), ' '), ' ant-select ')][1]");
  const open = page.locator(".ant-select-dropdown:not(.ant-select-dropdown-hidden)");
  for (let attempt = 1; ; attempt++) {
    // Open it, unless a press that did not take left it open.
    if (attempt === 1 || (await open.count()) === 0) {
      await press(page, control);
      if (search !== undefined) {
        if (attempt > 1) await control.fill("");
        await control.pressSequentially(search, { delay: 20 });
      }
    }
    const item = open.locator(".ant-select-item-option").filter({ hasText: option }).first();
    await item.waitFor();
    await press(page, item);
    try {
      await select.filter({ hasText: option }).waitFor({ timeout: 5_000 });
      return;
    } catch (err) {
      if (attempt === 3) throw new Error(`pick: the select still does not show "${option}" after ${attempt} tries`, { cause: err });
    }
  }
}

// closePopups closes an open select (multiple selects stay open).
export async function closePopups(page: Page): Promise<void> {
  await page.keyboard.press("Escape");
}

export async function cascade(page: Page, control: Locator, path: string[]): Promise<void> {
  await press(page, control);
  for (const [i, p] of path.entries()) {
    const item = page.locator(".ant-cascader-dropdown:not(.ant-select-dropdown-hidden) .ant-cascader-menu").nth(i).locator(`.ant-cascader-menu-item[title="${p}"]`);
    await item.waitFor();
    await press(page, item);
  }
  const open = page.locator(".ant-cascader-dropdown:not(.ant-select-dropdown-hidden)");
  if (await open.count()) await page.keyboard.press("Escape");
  await open.waitFor({ state: "hidden" });
}

// message waits for a toast with the text.
export async function toast(page: Page, text: string | RegExp): Promise<Locator> {
  const l = page.locator(".ant-message-notice").filter({ hasText: text }).first();
  await l.waitFor();
  return l;
}
