// statusColor is the tag colour of an outbox entry's or a job's status.
export const statusColor: Record<string, string> = { pending: "processing", delivered: "success", dead: "error", skipped: "default", running: "processing", done: "success", failed: "error" };
