/**
 * The order a sync batch is processed in. A phone's outbox is ordered, but retries and merges can
 * put a correction before the line it corrects or repeat a record; the server answers each op_id
 * once per batch and takes originals before their corrections, so neither comes back as an
 * error the phone would act on. Returns indices into `records`, each op_id's first occurrence
 * only, otherwise in the order sent.
 */
export function batchOrder(
  records: ReadonlyArray<{ op_id?: unknown; supersedes?: unknown }>,
): number[] {
  const firstIndex = new Map<string, number>();
  records.forEach((r, i) => {
    if (typeof r.op_id === 'string' && !firstIndex.has(r.op_id)) firstIndex.set(r.op_id, i);
  });
  const order: number[] = [];
  const state = new Map<number, 'visiting' | 'done'>();
  const visit = (i: number) => {
    if (state.has(i)) return; // done, or a cycle: keep the order sent
    state.set(i, 'visiting');
    const target = records[i]!.supersedes;
    const before = typeof target === 'string' ? firstIndex.get(target) : undefined;
    if (before !== undefined && before !== i) visit(before);
    state.set(i, 'done');
    order.push(i);
  };
  records.forEach((r, i) => {
    // Records without a usable op_id are each answered on their own (as validation errors).
    if (typeof r.op_id !== 'string' || firstIndex.get(r.op_id) === i) visit(i);
  });
  return order;
}
