/**
 * Report files (CSV and XLSX) for every app: one set of cell rules, one CSV writer, one streaming
 * XLSX writer (ADR 0005). Imported as `@stockverify/shared/spreadsheet`, apart from the main entry,
 * so the staff app does not pull in the zip library.
 */
export * from './cells';
export * from './csv-writer';
export * from './xlsx-writer';
