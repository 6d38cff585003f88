import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { act, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { ConfigProvider } from "antd";
import zhCN from "antd/locale/zh_CN";
import { createMemoryRouter, RouterProvider } from "react-router";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { RecordForm } from "@/forms/RecordForm";
import { I18nProvider } from "@/i18n/I18nProvider";
import type { ObjectDefinitionData } from "@/metadata/model";
import { MetadataContextForTests } from "@/metadata/MetadataProvider";
import { FeedbackProvider } from "@/ui/FeedbackProvider";
import { fakeMetadata } from "~/testing/schema";

// Which messages a generated form shows: nothing on fields the user has
// not reached, a field's own once it is left (and then as it changes),
// every field's after a first attempt to save, and the server's on their
// fields whatever the user has visited.

const order: ObjectDefinitionData = {
  name: "order",
  version: 1,
  label: { zh: "订单", en: "Order" },
  definition: {
    type: "object",
    properties: {
      title: { type: "string", "x-crm-type": "text", "x-crm-label": { zh: "订单名称", en: "Title" } },
      code: { type: "string", minLength: 3, "x-crm-type": "text", "x-crm-label": { zh: "订单编码", en: "Code" } },
      points: { type: "integer", minimum: 0, "x-crm-type": "integer", "x-crm-label": { zh: "积分", en: "Points" } },
      channel: {
        type: "string",
        enum: ["shop", "online"],
        "x-crm-type": "picklist",
        "x-crm-label": { zh: "渠道", en: "Channel" },
        "x-crm-options": [
          { value: "shop", label: { zh: "门店", en: "Shop" } },
          { value: "online", label: { zh: "线上", en: "Online" } },
        ],
      },
      notes: { type: "string", "x-crm-type": "text", "x-crm-label": { zh: "备注", en: "Notes" } },
      agreed: { type: "boolean", enum: [true], "x-crm-type": "boolean", "x-crm-label": { zh: "同意条款", en: "Agreed" } },
    },
    required: ["title", "points", "channel"],
  },
  access: { read: true, create: true, update: true, delete: true, readOnlyFields: [], maskedFields: [] },
};

const md = fakeMetadata([order]);
const obj = md.byName.order;
const required = "请填写此字段";

function field(name: string): HTMLElement {
  const el = document.querySelector<HTMLElement>(`[data-field="${name}"]`);
  if (!el) throw new Error(`no field ${name}`);
  return el;
}
const messages = (name: string) => Array.from(field(name).querySelectorAll(".field-errors li")).map((li) => li.textContent);
const input = (name: string) => field(name).querySelector<HTMLInputElement>("input")!;

function renderForm(onSaved = vi.fn()) {
  const qc = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  const router = createMemoryRouter([
    {
      path: "/",
      element: (
        <RecordForm obj={obj} mode="create" draftKey={`t.${Math.random()}`} onSaved={onSaved} onCancel={() => {}} />
      ),
    },
  ]);
  render(
    <I18nProvider initial="zh">
      <QueryClientProvider client={qc}>
        <ConfigProvider locale={zhCN}>
          <FeedbackProvider>
            <MetadataContextForTests value={md}>
              <RouterProvider router={router} />
            </MetadataContextForTests>
          </FeedbackProvider>
        </ConfigProvider>
      </QueryClientProvider>
    </I18nProvider>,
  );
  return onSaved;
}

const save = () => fireEvent.click(screen.getByRole("button", { name: /保\s*存/ }));

describe("form messages", () => {
  let fetchMock: ReturnType<typeof vi.fn>;
  beforeEach(() => {
    fetchMock = vi.fn();
    vi.stubGlobal("fetch", fetchMock);
    sessionStorage.clear();
    // jsdom lays nothing out; the form scrolls to the first refused field.
    Element.prototype.scrollIntoView = () => {};
  });
  afterEach(() => vi.unstubAllGlobals());

  it("show nothing on fields the user has not reached", async () => {
    renderForm();
    await screen.findByText("订单名称");
    expect(document.querySelectorAll(".field-errors").length).toBe(0);
    // Leaving the first field empty marks it, and only it.
    fireEvent.focus(input("title"));
    fireEvent.blur(input("title"));
    await waitFor(() => expect(messages("title")).toEqual([required]));
    expect(messages("points")).toEqual([]);
    expect(messages("channel")).toEqual([]);
    expect(field("points").classList.contains("has-error")).toBe(false);
    expect(field("title").classList.contains("has-error")).toBe(true);
    // A number input too.
    fireEvent.focus(input("points"));
    fireEvent.blur(input("points"));
    await waitFor(() => expect(messages("points")).toEqual([required]));
    expect(input("points").value, "left empty, not 0").toBe("");
    expect(messages("channel")).toEqual([]);
  });

  it("wait until a typed field is left, then follow its changes", async () => {
    renderForm();
    const code = input("code");
    fireEvent.change(code, { target: { value: "ab" } });
    await waitFor(() => expect(code.value).toBe("ab"));
    expect(messages("code")).toEqual([]);
    fireEvent.blur(code);
    await waitFor(() => expect(messages("code")).toEqual(["至少 3 个字符"]));
    fireEvent.change(code, { target: { value: "abc" } });
    await waitFor(() => expect(messages("code")).toEqual([]));
    fireEvent.change(code, { target: { value: "a" } });
    await waitFor(() => expect(messages("code")).toEqual(["至少 3 个字符"]));
    // Other fields stay quiet all along.
    expect(messages("title")).toEqual([]);
  });

  it("count a choice as a visit", async () => {
    renderForm();
    // A switch is never left the way an input is: turning it shows its
    // messages at once.
    const agreed = field("agreed").querySelector<HTMLElement>("button[role=switch]")!;
    fireEvent.click(agreed);
    await waitFor(() => expect(agreed.getAttribute("aria-checked")).toBe("true"));
    expect(messages("agreed")).toEqual([]);
    fireEvent.click(agreed);
    await waitFor(() => expect(messages("agreed")).toEqual(["不是可选的值"]));
    expect(messages("title")).toEqual([]);
    expect(messages("channel")).toEqual([]);
  });

  it("show every field's messages once the user tries to save, and send nothing", async () => {
    renderForm();
    await screen.findByText("订单名称");
    save();
    await waitFor(() => expect(messages("title")).toEqual([required]));
    expect(messages("points")).toEqual([required]);
    expect(messages("channel")).toEqual([required]);
    expect(messages("notes")).toEqual([]);
    expect(fetchMock).not.toHaveBeenCalled();
    // After the attempt a fixed field clears as it changes.
    fireEvent.change(input("title"), { target: { value: "春季订单" } });
    await waitFor(() => expect(messages("title")).toEqual([]));
    expect(messages("points")).toEqual([required]);
  });

  it("show the server's messages on their fields, visited or not", async () => {
    fetchMock.mockResolvedValue(
      new Response(
        JSON.stringify({
          errors: [
            {
              message: "validation failed",
              extensions: { code: "VALIDATION_FAILED", fields: [{ field: "points", code: "script", message: "可用积分不足：会员「王芳」当前积分 120" }] },
            },
          ],
        }),
        { status: 200, headers: { "Content-Type": "application/json" } },
      ),
    );
    const saved = renderForm();
    fireEvent.change(input("title"), { target: { value: "兑换" } });
    fireEvent.click(screen.getByLabelText("门店"));
    fireEvent.change(input("points"), { target: { value: "500" } });
    await waitFor(() => expect(input("points").value).toBe("500"));
    await act(async () => {
      save();
    });
    await waitFor(() => expect(messages("points")).toEqual(["可用积分不足：会员「王芳」当前积分 120"]));
    expect(fetchMock).toHaveBeenCalledTimes(1);
    expect(saved).not.toHaveBeenCalled();
    expect(document.querySelector(".form-banner")?.textContent).toContain("1 个字段");
    // It stays on its field while the user changes another one.
    fireEvent.change(input("notes"), { target: { value: "再试" } });
    fireEvent.click(field("agreed").querySelector<HTMLElement>("button[role=switch]")!);
    await waitFor(() => expect(input("notes").value).toBe("再试"));
    expect(messages("points")).toEqual(["可用积分不足：会员「王芳」当前积分 120"]);
    expect(messages("notes")).toEqual([]);
  });
});
