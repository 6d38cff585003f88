import { act, render, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { applyTenantLocale, I18nProvider, useI18n } from "@/i18n/I18nProvider";

// The tenant's locale is the language of users who have not chosen one;
// a user's own choice wins (docs/settings.md).

function Shown() {
  const { lang, t, setLang } = useI18n();
  return (
    <div>
      <span data-testid="lang">{lang}</span>
      <span>{t("action.edit")}</span>
      <button type="button" onClick={() => setLang("zh")}>
        choose zh
      </button>
    </div>
  );
}

afterEach(() => localStorage.clear());

describe("the tenant's locale", () => {
  it("is the language of a user who has not chosen one, and of the next visit", async () => {
    const first = render(
      <I18nProvider>
        <Shown />
      </I18nProvider>,
    );
    expect(screen.getByTestId("lang").textContent).toBe("zh");
    act(() => applyTenantLocale("en-US"));
    await waitFor(() => expect(screen.getByTestId("lang").textContent).toBe("en"), { timeout: 30000 });
    expect(screen.getByText("Edit")).toBeTruthy();
    expect(localStorage.getItem("crm.lang")).toBeNull();
    first.unmount();
    // the next page load (the sign-in page) starts in it
    render(
      <I18nProvider>
        <Shown />
      </I18nProvider>,
    );
    await waitFor(() => expect(screen.getByTestId("lang").textContent).toBe("en"), { timeout: 30000 });
  }, 60000);

  it("gives way to the user's own choice", async () => {
    render(
      <I18nProvider>
        <Shown />
      </I18nProvider>,
    );
    act(() => screen.getByText("choose zh").click());
    expect(localStorage.getItem("crm.lang")).toBe("zh");
    act(() => applyTenantLocale("en-US"));
    expect(screen.getByTestId("lang").textContent).toBe("zh");
    expect(screen.getByText("编辑")).toBeTruthy();
  });
});
