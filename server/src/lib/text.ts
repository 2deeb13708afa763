/** Text helpers for search: one normal form and trigram sets, shared by adapters and services. */

/** Lower-case, accents stripped, anything not a letter or digit turned into one space. */
export function normalizeText(s: string): string {
  return s
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

/**
 * Distinct trigrams of the normalised text, each word padded with spaces ("  ab", " abc", …) so
 * that short words and word starts count.
 */
export function trigrams(s: string): string[] {
  const out = new Set<string>();
  for (const word of normalizeText(s).split(' ')) {
    if (word === '') continue;
    const padded = `  ${word} `;
    for (let i = 0; i + 3 <= padded.length; i++) out.add(padded.slice(i, i + 3));
  }
  return [...out];
}
