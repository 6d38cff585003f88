import {
  createErrorHandler,
  toErrorSchema,
  unwrapErrorHandler,
  validationDataMerge,
  type CustomValidator,
  type ErrorTransformer,
  type RJSFSchema,
  type RJSFValidationError,
  type UiSchema,
  type ValidationData,
  type ValidatorType,
} from "@rjsf/utils";
import { customFormats } from "./formats";

// The browser's check of form data against the keywords buildForm keeps
// (type, enum, const, format, pattern, lengths, ranges, multipleOf, items,
// required, properties). Written here rather than compiled by ajv: ajv
// generates code with new Function, which the app's Content-Security-Policy
// (script-src 'self') rightly forbids. The server checks everything again.

type Schema = Record<string, unknown>;
type Problem = { path: string[]; name: string; params: Record<string, unknown>; message: string };

const builtinFormats: Record<string, (s: string) => boolean> = {
  email: (s) => /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(s),
  date: (s) => {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
    if (!m) return false;
    const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
    return d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
  },
  "date-time": (s) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i.test(s) && !Number.isNaN(Date.parse(s)),
  uuid: (s) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s),
  ipv4: (s) => /^((25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(25[0-5]|2[0-4]\d|1?\d?\d)$/.test(s),
};

const patterns = new Map<string, RegExp | null>();

function regex(p: string): RegExp | null {
  if (!patterns.has(p)) {
    try {
      patterns.set(p, new RegExp(p, "u"));
    } catch {
      patterns.set(p, null); // a pattern the browser cannot read: the server decides
    }
  }
  return patterns.get(p) ?? null;
}

function typeOf(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return typeof v;
}

function typeMatches(want: unknown, v: unknown): boolean {
  const types = Array.isArray(want) ? want : [want];
  const got = typeOf(v);
  return types.some((t) => t === got || (t === "number" && got === "integer"));
}

function length(s: string): number {
  return Array.from(s).length; // JSON Schema counts code points
}

// check appends the problems of value v against schema s at path.
export function check(s: Schema, v: unknown, path: string[], out: Problem[]): void {
  if (v === undefined) return;
  const fail = (name: string, params: Record<string, unknown>, message: string) => out.push({ path, name, params, message });
  if (s.type !== undefined && !typeMatches(s.type, v)) {
    fail("type", { type: s.type }, `must be ${String(s.type)}`);
    return;
  }
  if (Array.isArray(s.enum) && !s.enum.some((e) => JSON.stringify(e) === JSON.stringify(v))) fail("enum", { allowedValues: s.enum }, "must be one of the allowed values");
  if ("const" in s && JSON.stringify(s.const) !== JSON.stringify(v)) fail("const", { allowedValue: s.const }, "must be the constant");
  if (typeof v === "string") {
    if (typeof s.minLength === "number" && length(v) < s.minLength) fail("minLength", { limit: s.minLength }, `must not have fewer than ${s.minLength} characters`);
    if (typeof s.maxLength === "number" && length(v) > s.maxLength) fail("maxLength", { limit: s.maxLength }, `must not have more than ${s.maxLength} characters`);
    if (typeof s.pattern === "string") {
      const re = regex(s.pattern);
      if (re && !re.test(v)) fail("pattern", { pattern: s.pattern }, `must match pattern "${s.pattern}"`);
    }
    if (typeof s.format === "string") {
      const f = customFormats[s.format] ?? builtinFormats[s.format];
      if (f && !f(v)) fail("format", { format: s.format }, `must match format "${s.format}"`);
    }
  }
  if (typeof v === "number") {
    if (typeof s.minimum === "number" && v < s.minimum) fail("minimum", { comparison: ">=", limit: s.minimum }, `must be >= ${s.minimum}`);
    if (typeof s.maximum === "number" && v > s.maximum) fail("maximum", { comparison: "<=", limit: s.maximum }, `must be <= ${s.maximum}`);
    if (typeof s.exclusiveMinimum === "number" && v <= s.exclusiveMinimum) fail("exclusiveMinimum", { comparison: ">", limit: s.exclusiveMinimum }, `must be > ${s.exclusiveMinimum}`);
    if (typeof s.exclusiveMaximum === "number" && v >= s.exclusiveMaximum) fail("exclusiveMaximum", { comparison: "<", limit: s.exclusiveMaximum }, `must be < ${s.exclusiveMaximum}`);
    if (typeof s.multipleOf === "number" && s.multipleOf > 0) {
      const q = v / s.multipleOf;
      if (Math.abs(q - Math.round(q)) > 1e-9) fail("multipleOf", { multipleOf: s.multipleOf }, `must be multiple of ${s.multipleOf}`);
    }
  }
  if (Array.isArray(v)) {
    if (typeof s.minItems === "number" && v.length < s.minItems) fail("minItems", { limit: s.minItems }, `must not have fewer than ${s.minItems} items`);
    if (typeof s.maxItems === "number" && v.length > s.maxItems) fail("maxItems", { limit: s.maxItems }, `must not have more than ${s.maxItems} items`);
    if (s.uniqueItems === true && new Set(v.map((x) => JSON.stringify(x))).size !== v.length) fail("uniqueItems", {}, "must not have duplicate items");
    if (s.items && typeof s.items === "object" && !Array.isArray(s.items)) v.forEach((x, i) => check(s.items as Schema, x, [...path, String(i)], out));
  }
  if (v && typeof v === "object" && !Array.isArray(v)) {
    const obj = v as Record<string, unknown>;
    for (const r of Array.isArray(s.required) ? (s.required as string[]) : []) {
      if (obj[r] === undefined) out.push({ path: [...path, r], name: "required", params: { missingProperty: r }, message: `must have required property '${r}'` });
    }
    const props = (s.properties ?? {}) as Record<string, Schema>;
    for (const [k, ps] of Object.entries(props)) check(ps, obj[k], [...path, k], out);
  }
}

function property(path: string[]): string {
  return path.map((p) => (/^\d+$/.test(p) ? `[${p}]` : `.${p}`)).join("");
}

export class FormValidator implements ValidatorType {
  rawValidation<Result = unknown>(schema: RJSFSchema, formData?: unknown): { errors?: Result[]; validationError?: Error } {
    const out: Problem[] = [];
    check(schema as Schema, formData, [], out);
    return { errors: out as unknown as Result[] };
  }

  validateFormData(
    formData: unknown,
    schema: RJSFSchema,
    customValidate?: CustomValidator,
    transformErrors?: ErrorTransformer,
    uiSchema?: UiSchema,
  ): ValidationData<unknown> {
    const out: Problem[] = [];
    check(schema as Schema, formData, [], out);
    let errors: RJSFValidationError[] = out.map((p) => ({
      name: p.name,
      property: property(p.path),
      message: p.message,
      params: p.params,
      stack: `${property(p.path)} ${p.message}`.trim(),
      schemaPath: "",
    }));
    if (transformErrors) errors = transformErrors(errors, uiSchema);
    let data: ValidationData<unknown> = { errors, errorSchema: toErrorSchema(errors) };
    if (customValidate) {
      const handler = customValidate(formData, createErrorHandler(formData), uiSchema);
      data = validationDataMerge(data, unwrapErrorHandler(handler));
    }
    return data;
  }

  isValid(schema: RJSFSchema, formData: unknown, _rootSchema?: RJSFSchema): boolean {
    const out: Problem[] = [];
    check(schema as Schema, formData, [], out);
    return out.length === 0;
  }
}
