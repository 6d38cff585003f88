import type { ErrorSchema, RJSFValidationError } from "@rjsf/utils";
import { fieldErrors, isApiError } from "@/api/errors";
import type { Lang } from "@/i18n/I18nProvider";

// Errors in forms: the server's field problems (schema, rules, scripts,
// uniqueness, stage requirements) go on their fields through rjsf's
// extraErrors; the browser's own checks get messages in the interface
// language.

// serverFieldErrors maps a VALIDATION_FAILED error onto the form's fields;
// problems on fields the form does not show are returned apart, for the
// banner.
export function serverFieldErrors(err: unknown, shown: Set<string>): { schema: ErrorSchema; unplaced: string[]; count: number } {
  const schema: Record<string, { __errors: string[] }> = {};
  const unplaced: string[] = [];
  let count = 0;
  if (!isApiError(err)) return { schema: {} as ErrorSchema, unplaced, count };
  for (const [field, messages] of Object.entries(fieldErrors(err))) {
    if (field && shown.has(field)) {
      schema[field] = { __errors: messages };
      count++;
    } else {
      unplaced.push(...messages.map((m) => (field ? `${field}: ${m}` : m)));
    }
  }
  return { schema: schema as unknown as ErrorSchema, unplaced, count };
}

type Params = Record<string, unknown>;

const zhFormats: Record<string, string> = {
  email: "不是有效的电子邮箱",
  uri: "不是有效的网址（以 http:// 或 https:// 开头）",
  date: "不是有效的日期",
  "date-time": "不是有效的日期时间",
  phone: "不是有效的电话号码",
  "cn-mobile": "不是有效的手机号（11 位，以 1 开头）",
  "cn-landline": "不是有效的固定电话（区号-号码）",
  "cn-resident-id": "不是有效的居民身份证号",
  "cn-uscc": "不是有效的统一社会信用代码",
};
const enFormats: Record<string, string> = {
  email: "not a valid e-mail address",
  uri: "not a valid web address (http:// or https://)",
  date: "not a valid date",
  "date-time": "not a valid date and time",
  phone: "not a valid phone number",
  "cn-mobile": "not a valid mainland mobile number (11 digits starting with 1)",
  "cn-landline": "not a valid landline (area code-number)",
  "cn-resident-id": "not a valid resident ID number",
  "cn-uscc": "not a valid unified social credit code",
};

// errorMessage says what is wrong with a value in words a business user
// understands.
export function errorMessage(name: string | undefined, params: Params, lang: Lang): string | undefined {
  const p = (k: string) => String(params?.[k] ?? "");
  const zh = lang === "zh";
  switch (name) {
    case "required":
      return zh ? "请填写此字段" : "required";
    case "minLength":
      return zh ? `至少 ${p("limit")} 个字符` : `at least ${p("limit")} characters`;
    case "maxLength":
      return zh ? `最多 ${p("limit")} 个字符` : `at most ${p("limit")} characters`;
    case "minimum":
      return zh ? `不能小于 ${p("limit")}` : `must be at least ${p("limit")}`;
    case "maximum":
      return zh ? `不能大于 ${p("limit")}` : `must be at most ${p("limit")}`;
    case "exclusiveMinimum":
      return zh ? `必须大于 ${p("limit")}` : `must be more than ${p("limit")}`;
    case "exclusiveMaximum":
      return zh ? `必须小于 ${p("limit")}` : `must be less than ${p("limit")}`;
    case "multipleOf":
      return zh ? `必须是 ${p("multipleOf")} 的倍数` : `must be a multiple of ${p("multipleOf")}`;
    case "pattern":
      return zh ? "格式不正确" : "not in the expected format";
    case "format":
      return (zh ? zhFormats : enFormats)[p("format")] ?? (zh ? "格式不正确" : "not in the expected format");
    case "enum":
      return zh ? "不是可选的值" : "not one of the allowed values";
    case "minItems":
      return zh ? `至少选择 ${p("limit")} 项` : `choose at least ${p("limit")}`;
    case "maxItems":
      return zh ? `最多选择 ${p("limit")} 项` : `choose at most ${p("limit")}`;
    case "uniqueItems":
      return zh ? "不能重复" : "must not repeat";
    case "type":
      return zh ? "值的类型不正确" : "wrong kind of value";
  }
  return undefined;
}

export function localiseErrors(errors: RJSFValidationError[], lang: Lang): RJSFValidationError[] {
  return errors.map((e) => {
    const message = errorMessage(e.name, (e.params ?? {}) as Params, lang);
    return message ? { ...e, message, stack: message } : e;
  });
}
