import { describe, expect } from "vitest";
import { addUser, expectNoHorizontalScroll, journey, password, signIn, useServer } from "./harness";

// Signing in, in Chinese by default; switching to English, which is
// remembered; the first administrator's temporary password.

const server = useServer({ template: "b2b-sales", records: 300 });

describe("sign in", () => {
  for (const size of ["desktop", "phone"] as const) {
    journey("signs in in Chinese and switches to English", size, async (tab) => {
      const s = server();
      addUser(s, `zhang.${size}`, "张伟");
      const { page } = tab;
      await page.goto(s.url + "/");
      await page.getByRole("heading", { name: "登录" }).waitFor();
      await page.getByLabel("用户名").fill(`zhang.${size}`);
      await page.getByLabel("密码").fill("wrong password here");
      await page.getByRole("button", { name: "登录" }).click();
      await page.getByRole("alert").filter({ hasText: "用户名或密码错误" }).waitFor();
      await page.getByLabel("密码").fill(password);
      await page.getByRole("button", { name: "登录" }).click();
      await page.getByRole("heading", { name: "你好，张伟" }).waitFor();
      await expectNoHorizontalScroll(page);

      if (size === "desktop") {
        await page.locator(".side-menu").getByRole("link", { name: "商机", exact: true }).waitFor();
        await page.getByRole("button", { name: "English" }).click();
      } else {
        await page.locator(".tab-bar").getByRole("link", { name: "我的" }).click();
        await page.getByText("English", { exact: true }).click();
      }
      await page.getByText(size === "desktop" ? "Hello, 张伟" : "Language").first().waitFor();
      if (size === "desktop") await page.locator(".side-menu").getByRole("link", { name: "Opportunity", exact: true }).waitFor();

      // Remembered: a reload stays signed in and in English.
      await page.reload();
      await page.locator(".shell").waitFor();
      await page.getByText(size === "desktop" ? "Hello, 张伟" : "Language").first().waitFor();

      // Signing out ends the session; the sign-in page is in English too.
      if (size === "desktop") {
        await page.locator(".user-button").click();
        await page.getByRole("menuitem", { name: "Sign out" }).click();
      } else {
        await page.getByRole("button", { name: "Sign out" }).click();
      }
      await page.getByRole("heading", { name: "Sign in" }).waitFor();
      await page.reload();
      await page.getByRole("heading", { name: "Sign in" }).waitFor();
    });
  }

  journey("asks the first administrator to replace the temporary password", "desktop", async ({ page }) => {
    const s = server();
    const temp = s.firstStart.match(/user admin, password (\S+)/)?.[1];
    expect(temp, s.firstStart).toBeTruthy();
    await page.goto(s.url + "/");
    await page.getByLabel("用户名").fill("admin");
    await page.getByLabel("密码").fill(temp!);
    await page.getByRole("button", { name: "登录" }).click();
    await page.getByText("首次登录请设置新密码").waitFor();
    await page.getByLabel("当前密码").fill(temp!);
    await page.getByLabel("新密码", { exact: true }).fill("a much better password");
    await page.getByLabel("再次输入新密码").fill("a much better password");
    await page.getByRole("button", { name: "修改密码" }).click();
    await page.getByRole("heading", { name: /你好/ }).waitFor();
  });

  journey("keeps the explorer reachable without a session, offline", "desktop", async ({ page }) => {
    const s = server();
    const external: string[] = [];
    page.on("request", (r) => {
      if (!r.url().startsWith(s.url) && !r.url().startsWith("data:") && !r.url().startsWith("blob:")) external.push(r.url());
    });
    await page.goto(s.url + "/explorer");
    await page.locator(".graphiql-container").waitFor();
    expect(external).toEqual([]);
    // Without a session or key the schema cannot be read: GraphiQL shows
    // the server's answer, and the browser logs the 401.
  }, { expectedErrors: /status of 401/ });

  journey("runs a query in the explorer as the signed-in user", "desktop", async ({ page }) => {
    const s = server();
    addUser(s, "explorer.user", "陈晨");
    await signIn(page, s.url, "explorer.user");
    // A browser opening the API lands on the bundled explorer.
    await page.goto(s.url + "/graphql");
    await page.waitForURL(/\/explorer$/);
    await page.locator(".graphiql-container").waitFor();
    await page.getByRole("button", { name: "Execute query (Ctrl-Enter)" }).click();
    await page.locator(".graphiql-response", { hasText: '"tenant": "default"' }).waitFor();
    await page.locator(".graphiql-response", { hasText: '"id": "user:explorer.user"' }).waitFor();
  });
});
