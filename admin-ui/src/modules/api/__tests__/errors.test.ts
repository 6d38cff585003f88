import { describe, expect, it } from "vitest";
import { errorFromGraphQL, fieldErrors } from "@/api/errors";
import { errorMessage, localiseErrors, serverFieldErrors } from "@/forms/errors";
import { isCNResidentID, isCNUSCC, isCNLandline, isCNMobile, isPhone, isWebURL } from "@/forms/formats";

describe("server errors on form fields", () => {
  const err = errorFromGraphQL(
    [
      {
        message: "deal 的数据未通过校验",
        extensions: {
          code: "VALIDATION_FAILED",
          fields: [
            { field: "amount", code: "minimum", message: "不能小于 0" },
            { field: "closeDate", code: "stageRequired", message: "进入阶段“赢单”前必须填写" },
            { field: "address/city", code: "type", message: "必须是文本" },
            { field: "ghost", code: "x", message: "不存在" },
          ],
        },
      },
    ],
    200,
    "req-1",
  );

  it("keeps code, message, request id and every field problem", () => {
    expect(err.code).toBe("VALIDATION_FAILED");
    expect(err.requestId).toBe("req-1");
    expect(err.fields).toHaveLength(4);
  });

  it("groups problems by top-level field", () => {
    expect(fieldErrors(err)).toEqual({ amount: ["不能小于 0"], closeDate: ["进入阶段“赢单”前必须填写"], address: ["必须是文本"], ghost: ["不存在"] });
  });

  it("puts them on the form's fields and the rest in the banner", () => {
    const m = serverFieldErrors(err, new Set(["amount", "closeDate", "address"]));
    expect(m.schema).toEqual({ amount: { __errors: ["不能小于 0"] }, closeDate: { __errors: ["进入阶段“赢单”前必须填写"] }, address: { __errors: ["必须是文本"] } });
    expect(m.count).toBe(3);
    expect(m.unplaced).toEqual(["ghost: 不存在"]);
  });

  it("reads an UNAUTHENTICATED answer without extensions from its status", () => {
    expect(errorFromGraphQL([{ message: "no" }], 401).code).toBe("UNAUTHENTICATED");
  });
});

describe("browser-side checks", () => {
  it("says what is wrong in Chinese and English", () => {
    expect(errorMessage("required", {}, "zh")).toBe("请填写此字段");
    expect(errorMessage("maxLength", { limit: 100 }, "zh")).toBe("最多 100 个字符");
    expect(errorMessage("format", { format: "cn-mobile" }, "zh")).toBe("不是有效的手机号（11 位，以 1 开头）");
    expect(errorMessage("minimum", { limit: 0 }, "en")).toBe("must be at least 0");
    const [e] = localiseErrors([{ name: "format", params: { format: "email" }, message: "must match format", stack: "", property: ".email", schemaPath: "" }], "zh");
    expect(e.message).toBe("不是有效的电子邮箱");
  });

  it("checks Chinese formats as the server does", () => {
    expect(isCNMobile("13800138000")).toBe(true);
    expect(isCNMobile("12800138000")).toBe(false);
    expect(isCNLandline("010-12345678")).toBe(true);
    expect(isCNLandline("0755-1234567转123")).toBe(true);
    expect(isPhone("+86 (21) 555-0100")).toBe(true);
    expect(isPhone("12a45")).toBe(false);
    expect(isCNResidentID("11010519491231002X")).toBe(true);
    expect(isCNResidentID("11010519491231002x")).toBe(true);
    expect(isCNResidentID("110105194912310021")).toBe(false);
    expect(isCNResidentID("110105194913310023")).toBe(false);
    expect(isCNUSCC("91350100M000100Y43")).toBe(true);
    expect(isCNUSCC("91350100M000100Y44")).toBe(false);
    expect(isWebURL("https://crm.example.cn/a?b=1")).toBe(true);
    expect(isWebURL("javascript:alert(1)")).toBe(false);
  });
});
