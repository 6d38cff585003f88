// runEach applies an operation to every id with a few at a time, and
// reports how many succeeded and the first failure: a bulk action never
// stops half-way without saying which records it did not change.

export type BulkResult = { ok: string[]; failed: { id: string; error: unknown }[] };

export async function runEach(ids: string[], op: (id: string) => Promise<unknown>, concurrency = 4): Promise<BulkResult> {
  const result: BulkResult = { ok: [], failed: [] };
  let next = 0;
  const worker = async () => {
    while (next < ids.length) {
      const id = ids[next++];
      try {
        await op(id);
        result.ok.push(id);
      } catch (error) {
        result.failed.push({ id, error });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, ids.length) }, worker));
  return result;
}
