// Errors from the server, normalised: one shape for GraphQL errors, HTTP
// failures and network faults, so that pages show what happened and what
// to do, with the request id, and forms put field errors on their fields.

export type FieldProblem = {
  field: string;
  code: string;
  message: string;
};

// DefinitionProblem is one thing wrong with an object definition an
// administrator saved (extensions.problems): a JSON-pointer path and a
// message, and for stored records a change would not fit, the field, the
// reason's code, how many records and one of them.
export type DefinitionProblem = {
  path: string;
  message: string;
  field?: string;
  code?: string;
  records?: number;
  example?: string;
  reason?: string;
  // value is the stored value a problem is about, when it is one per
  // value (a value of a field becoming a user field that names nobody).
  value?: string;
};

export type ErrorCode =
  | "VALIDATION_FAILED"
  | "NOT_FOUND"
  | "CONFLICT"
  | "FORBIDDEN"
  | "UNAUTHENTICATED"
  | "BAD_REQUEST"
  | "QUERY_TOO_COMPLEX"
  | "SCRIPT_FAILED"
  | "TIMEOUT"
  | "UNAVAILABLE"
  | "RATE_LIMITED"
  | "INTERNAL"
  | "NETWORK";

export class ApiError extends Error {
  readonly code: ErrorCode | string;
  readonly status: number;
  readonly fields: FieldProblem[];
  readonly requestId: string;
  readonly reason: string;
  readonly problems: DefinitionProblem[];

  constructor(init: {
    message: string;
    code: string;
    status?: number;
    fields?: FieldProblem[];
    requestId?: string;
    reason?: string;
    problems?: DefinitionProblem[];
  }) {
    super(init.message);
    this.name = "ApiError";
    this.code = init.code;
    this.status = init.status ?? 0;
    this.fields = init.fields ?? [];
    this.requestId = init.requestId ?? "";
    this.reason = init.reason ?? "";
    this.problems = init.problems ?? [];
  }
}

type RawGraphQLError = {
  message?: unknown;
  extensions?: {
    code?: unknown;
    fields?: unknown;
    requestId?: unknown;
    reason?: unknown;
    problems?: unknown;
  };
};

function asFieldProblems(v: unknown): FieldProblem[] {
  if (!Array.isArray(v)) return [];
  const out: FieldProblem[] = [];
  for (const item of v) {
    if (item && typeof item === "object") {
      const f = item as Record<string, unknown>;
      out.push({
        field: String(f.field ?? ""),
        code: String(f.code ?? ""),
        message: String(f.message ?? ""),
      });
    }
  }
  return out;
}

// errorFromGraphQL builds one ApiError from a response's errors: the first
// error gives code and message; field problems of every error are joined
// so that a form shows all of them at once.
export function errorFromGraphQL(errors: RawGraphQLError[], status: number, requestId = ""): ApiError {
  const first = errors[0] ?? {};
  const ext = first.extensions ?? {};
  const fields = errors.flatMap((e) => asFieldProblems(e.extensions?.fields));
  return new ApiError({
    message: typeof first.message === "string" ? first.message : "request failed",
    code: typeof ext.code === "string" ? ext.code : status === 401 ? "UNAUTHENTICATED" : "INTERNAL",
    status,
    fields,
    requestId: typeof ext.requestId === "string" ? ext.requestId : requestId,
    reason: typeof ext.reason === "string" ? ext.reason : "",
    // The server's shape as it is (admin screens read it; docs/graphql.md).
    problems: errors.flatMap((e) => (Array.isArray(e.extensions?.problems) ? (e.extensions.problems as DefinitionProblem[]) : [])),
  });
}

// isApiError narrows unknown errors caught from queries and mutations.
export function isApiError(e: unknown): e is ApiError {
  return e instanceof ApiError;
}

// fieldErrors groups field problems by field path for a form: nested paths
// ("address/city", "address.city") are kept as the top-level field, whose
// widget shows every message.
export function fieldErrors(err: unknown): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  if (!isApiError(err)) return out;
  for (const p of err.fields) {
    const top = p.field.replace(/^\/+/, "").split(/[./]/)[0] || "";
    (out[top] ??= []).push(p.message);
  }
  return out;
}
