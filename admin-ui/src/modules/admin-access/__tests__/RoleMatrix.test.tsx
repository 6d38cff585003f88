import { fireEvent, render, screen, within } from "@testing-library/react";
import { useState } from "react";
import { describe, expect, it } from "vitest";
import { RoleMatrix, type MatrixProblems } from "@/admin-access/RoleMatrix";
import { fromRole, toRole, type RoleJSON, type RoleModel } from "@/admin-access/roleModel";
import { fakeMetadata } from "~/testing/schema";
import { salesObjects } from "~/testing/fixtures";
import { wrapper } from "~/testing/wrapper";

// The matrix as an administrator uses it: ticking and choosing field
// levels gives the role JSON they mean; what cannot be masked is not
// offered; the server's problems show on their rows.

const md = fakeMetadata(salesObjects, { admin: true });

function Harness({ role, out, problems = {}, open = [] }: { role: RoleJSON; out: { role?: RoleJSON }; problems?: MatrixProblems; open?: string[] }) {
  const [model, setModel] = useState<RoleModel>(() => fromRole(role));
  const [expanded, setExpanded] = useState<string[]>(open);
  out.role = toRole(model);
  return <RoleMatrix model={model} objects={md.objects} onChange={setModel} expanded={expanded} onExpand={setExpanded} problems={problems} />;
}

function show(role: RoleJSON, opts: { problems?: MatrixProblems; open?: string[] } = {}) {
  const out: { role?: RoleJSON } = {};
  render(<Harness role={role} out={out} {...opts} />, { wrapper: wrapper(md) });
  return out;
}

describe("role matrix", { timeout: 30_000 }, () => {
  it("ticks operations into the role, the default row included", () => {
    const out = show({ name: "rep", label: { zh: "代表" }, objects: {} });
    fireEvent.click(screen.getByLabelText("所有其他对象（默认） 查看"));
    fireEvent.click(screen.getByLabelText("客户 修改"));
    expect(out.role).toEqual({ name: "rep", label: { zh: "代表" }, objects: { "*": { read: true }, account: { read: true, update: true } } });
    fireEvent.click(screen.getByLabelText("客户 查看"));
    expect(out.role?.objects?.account).toEqual({});
  });

  it("sets field levels under an expanded object and lets it follow the default again", () => {
    const out = show({ name: "rep", objects: { "*": { read: true } } });
    fireEvent.click(screen.getByRole("button", { name: "展开「联系人」的字段" }));
    const mobile = screen.getByRole("radiogroup", { name: "「手机」的字段权限" });
    fireEvent.click(within(mobile).getByText("掩码"));
    const name = screen.getByRole("radiogroup", { name: "「姓名」的字段权限" });
    fireEvent.click(within(name).getByText("只读"));
    expect(out.role?.objects?.contact).toEqual({ read: true, fields: { mobile: "masked", fullName: "readOnly" } });
    fireEvent.click(within(name).getByText("可见"));
    expect(out.role?.objects?.contact).toEqual({ read: true, fields: { mobile: "masked" } });
    const row = document.querySelector('tr[data-object="contact"]') as HTMLElement;
    fireEvent.click(within(row).getByRole("button", { name: "改为沿用默认" }));
    expect(out.role?.objects).toEqual({ "*": { read: true } });
  });

  it("does not offer to mask what the server cannot mask", () => {
    show({ name: "rep", objects: {} }, { open: ["account"] });
    const grade = screen.getByRole("radiogroup", { name: "「客户等级」的字段权限" });
    expect((within(grade).getByDisplayValue("masked") as HTMLInputElement).disabled).toBe(true);
    const phone = screen.getByRole("radiogroup", { name: "「电话」的字段权限" });
    expect((within(phone).getByDisplayValue("masked") as HTMLInputElement).disabled).toBe(false);
  });

  it("shows the server's problems on their rows and an object the tenant does not have", () => {
    show(
      { name: "rep", objects: { ticket: { read: true }, contact: { read: true, fields: { mobile: "masked" } } } },
      { problems: { ticket: ['there is no object "ticket"'], "contact.mobile": ["only text values can be masked"] }, open: ["contact"] },
    );
    const ticket = screen.getByText("对象不存在").closest("tr") as HTMLElement;
    expect(within(ticket).getByRole("alert").textContent).toBe('there is no object "ticket"');
    const mobile = document.querySelector('[data-field="contact.mobile"]') as HTMLElement;
    expect(within(mobile).getByRole("alert").textContent).toBe("only text values can be masked");
  });
});
