import { z } from 'zod';

/**
 * The answer of a paged list (`Page<T>` in envelope.ts) with `item` as its row schema. Answers are
 * read with `z.object`, which drops fields a newer server may add instead of refusing them.
 */
export function pageSchemaOf<T extends z.ZodType>(item: T) {
  return z.object({
    items: z.array(item),
    page: z.number(),
    page_size: z.number(),
    total: z.number(),
  });
}

/** An answer that lists all its rows at once: `{ items: [...] }`. */
export function itemsSchemaOf<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item) });
}
