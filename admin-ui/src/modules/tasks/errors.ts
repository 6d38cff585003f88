import type { FormInstance } from "antd";
import { isApiError } from "@/api/errors";

// applyServerErrors shows a refusal's field errors (extensions.fields) at
// the form's fields and reports whether there were any.
export function applyServerErrors(form: FormInstance, e: unknown): boolean {
  if (!isApiError(e) || !e.fields?.length) return false;
  form.setFields(e.fields.map((f) => ({ name: f.field, errors: [f.message] })));
  return true;
}
