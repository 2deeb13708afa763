/**
 * For the side-by-side comparisons of bench:session (phase S) and bench:sync: how many count lines
 * a server has stored so far, read from its SQLite file read-only while it runs (rowids grow by one
 * per line written, so the difference of two reads is the lines stored between them).
 */
import Database from 'better-sqlite3';

export function linesStored(file: string): number {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT MAX(rowid) FROM count_lines').pluck().get() as number | null) ?? 0;
  } finally {
    db.close();
  }
}
