import { ApiError, errorFromGraphQL } from "./errors";

// The GraphQL client of the app: POST /graphql with the session cookie and
// the session's CSRF token, the interface language as Accept-Language,
// and errors turned into ApiError. Nothing else talks to the server
// except the sign-in calls in auth.ts.

type ClientState = {
  csrfToken: string;
  lang: "zh" | "en";
  onUnauthenticated?: () => void;
};

const state: ClientState = { csrfToken: "", lang: "zh" };

export function configureClient(next: Partial<ClientState>): void {
  Object.assign(state, next);
}

export function currentLang(): "zh" | "en" {
  return state.lang;
}

// csrfToken is the signed-in session's token, for the few requests made
// outside gql (the GraphQL explorer).
export function csrfToken(): string {
  return state.csrfToken;
}

export type GraphQLRequest = {
  query: string;
  variables?: Record<string, unknown>;
  operationName?: string;
  signal?: AbortSignal;
};

// gql runs one GraphQL operation and returns its data; any error in the
// response becomes an ApiError (a partial result is not used: the app's
// documents either fully work or show the error).
export async function gql<T = Record<string, unknown>>(req: GraphQLRequest): Promise<T> {
  let res: Response;
  try {
    res = await fetch("/graphql", {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/graphql-response+json, application/json",
        "Accept-Language": state.lang === "en" ? "en" : "zh-CN",
        "X-CSRF-Token": state.csrfToken,
      },
      body: JSON.stringify({ query: req.query, variables: req.variables ?? {}, operationName: req.operationName }),
      signal: req.signal,
    });
  } catch (e) {
    if ((e as Error)?.name === "AbortError") throw e;
    throw new ApiError({
      code: "NETWORK",
      message: state.lang === "en" ? "The server cannot be reached; check the network and try again." : "无法连接服务器，请检查网络后重试",
    });
  }
  const requestId = res.headers.get("X-Request-ID") ?? "";
  let body: { data?: T | null; errors?: unknown[] } | undefined;
  try {
    body = await res.json();
  } catch {
    body = undefined;
  }
  if (body?.errors && body.errors.length > 0) {
    const err = errorFromGraphQL(body.errors as never[], res.status, requestId);
    if (err.code === "UNAUTHENTICATED") state.onUnauthenticated?.();
    throw err;
  }
  if (!res.ok || !body || body.data == null) {
    if (res.status === 401) state.onUnauthenticated?.();
    throw new ApiError({
      code: res.status === 401 ? "UNAUTHENTICATED" : res.status === 429 ? "RATE_LIMITED" : "INTERNAL",
      status: res.status,
      requestId,
      message:
        state.lang === "en"
          ? `The server answered ${res.status}; try again.`
          : `服务器返回 ${res.status}，请重试`,
    });
  }
  return body.data;
}
