import { gql } from "@/api/client";

// The approval API's documents and answers (docs/approvals.md), and the
// pure helpers the record panel and the 待我审批 page share.

export type Label = { zh?: string | null; en?: string | null };

export type ApprovalStepDef = { name: string; label: Label; mode: string; approvers: string[]; hasCondition: boolean };

export type ApprovalProcess = { name: string; label: Label; steps: ApprovalStepDef[]; editable: string[] };

export type ApprovalStep = {
  step: number;
  stepName: string;
  stepLabel: Label;
  approver: string | null;
  decision: "pending" | "approved" | "rejected" | "skipped" | "closed" | "recalled";
  comment: string | null;
  at: string | null;
};

export type ApprovalRequest = {
  id: string;
  object: string;
  record: string;
  process: string;
  processLabel: Label;
  status: "pending" | "approved" | "rejected" | "recalled";
  step: number;
  stepName: string;
  stepLabel: Label;
  submitter: string;
  comment: string | null;
  title: string | null;
  submittedAt: string;
  decidedAt: string | null;
  pendingApprovers: string[];
  history: ApprovalStep[];
};

export type Decision = "approve" | "reject" | "recall";

const requestFields = `id object record process processLabel { zh en } status step stepName stepLabel { zh en } submitter comment title
  submittedAt decidedAt pendingApprovers history { step stepName stepLabel { zh en } approver decision comment at }`;

export async function fetchProcesses(object: string, signal?: AbortSignal): Promise<ApprovalProcess[]> {
  const d = await gql<{ approvalProcesses: ApprovalProcess[] }>({
    query: `query ApprovalProcesses($object: String!) { approvalProcesses(object: $object) {
      name label { zh en } editable steps { name label { zh en } mode approvers hasCondition } } }`,
    variables: { object },
    signal,
  });
  return d.approvalProcesses;
}

export async function fetchRequests(object: string, record: string, signal?: AbortSignal): Promise<ApprovalRequest[]> {
  const d = await gql<{ approvalRequests: ApprovalRequest[] }>({
    query: `query ApprovalRequests($object: String!, $record: ID!) { approvalRequests(object: $object, record: $record) { ${requestFields} } }`,
    variables: { object, record },
    signal,
  });
  return d.approvalRequests;
}

// pendingPageSize is how many requests 待我审批 asks for (the API's most).
export const pendingPageSize = 100;

export async function fetchMine(signal?: AbortSignal): Promise<ApprovalRequest[]> {
  const d = await gql<{ myPendingApprovals: ApprovalRequest[] }>({
    query: `query MyPendingApprovals($first: Int) { myPendingApprovals(first: $first) { ${requestFields} } }`,
    variables: { first: pendingPageSize },
    signal,
  });
  return d.myPendingApprovals;
}

export async function submit(object: string, id: string, process: string, comment: string): Promise<ApprovalRequest> {
  const d = await gql<{ submitForApproval: ApprovalRequest }>({
    query: `mutation SubmitForApproval($object: String!, $id: ID!, $process: String!, $comment: String) {
      submitForApproval(object: $object, id: $id, process: $process, comment: $comment) { ${requestFields} } }`,
    variables: { object, id, process, comment: comment.trim() || null },
  });
  return d.submitForApproval;
}

const mutationOf: Record<Decision, string> = { approve: "approveRequest", reject: "rejectRequest", recall: "recallRequest" };

export async function decide(kind: Decision, id: string, comment: string): Promise<ApprovalRequest> {
  const m = mutationOf[kind];
  const d = await gql<Record<string, ApprovalRequest>>({
    query: `mutation Decide($id: ID!, $comment: String) { r: ${m}(id: $id, comment: $comment) { ${requestFields} } }`,
    variables: { id, comment: comment.trim() || null },
  });
  return d.r;
}

// maxComment is the API's bound on a comment, in characters.
export const maxComment = 2000;

// pendingOf is the record's pending request, if any (the API keeps at
// most one).
export function pendingOf(reqs: ApprovalRequest[] | undefined): ApprovalRequest | undefined {
  return reqs?.find((r) => r.status === "pending");
}

// canDecide tells whether the user (an actor id, user:NAME) may approve or
// reject the request now.
export function canDecide(req: ApprovalRequest, me: string): boolean {
  return req.status === "pending" && req.pendingApprovers.includes(me);
}

// canRecall tells whether the user may recall the request.
export function canRecall(req: ApprovalRequest, me: string): boolean {
  return req.status === "pending" && req.submitter === me;
}

export type StepGroup = { step: number; name: string; label: Label; entries: ApprovalStep[] };

// stepsOf groups a request's history by step, in step order.
export function stepsOf(req: ApprovalRequest): StepGroup[] {
  const out: StepGroup[] = [];
  for (const h of req.history) {
    let g = out.find((x) => x.step === h.step);
    if (!g) {
      g = { step: h.step, name: h.stepName, label: h.stepLabel, entries: [] };
      out.push(g);
    }
    g.entries.push(h);
  }
  return out.sort((a, b) => a.step - b.step);
}

// tagColor is the colour of a status or decision tag.
export function tagColor(s: string): string {
  switch (s) {
    case "approved":
      return "green";
    case "rejected":
      return "red";
    case "pending":
      return "gold";
    case "recalled":
    case "closed":
    case "skipped":
      return "default";
  }
  return "default";
}

export function labelText(l: Label | null | undefined, fallback: string, lang: "zh" | "en"): string {
  return (lang === "en" ? l?.en || l?.zh : l?.zh || l?.en) || fallback;
}
