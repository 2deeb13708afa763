/**
 * Renders the generated parts of docs/api.md from the route table (api-routes.ts) and the shared
 * zod schemas (issue #15: the HTTP contract written once, so the document cannot drift). Schemas
 * go through `z.toJSONSchema` and are flattened into one table row per field: dotted paths for
 * nested objects, `[]` for array items, one table per variant of a union of objects.
 *
 * Only the regions between `<!-- generated:begin NAME -->` and `<!-- generated:end NAME -->` are
 * replaced; everything else in docs/api.md is hand-written and kept as it is.
 */
import { PERMISSIONS, type Permission } from '@stockverify/shared';
import * as prettier from 'prettier';
import { z } from 'zod';
import { API_GROUPS, API_ROUTES, type RouteDoc, type Shape, type Who } from './api-routes';

/** JSON Schema as `z.toJSONSchema` writes it (the parts read here). */
interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: JsonSchema | boolean;
  items?: JsonSchema;
  prefixItems?: JsonSchema[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minItems?: number;
  maxItems?: number;
  description?: string;
  $ref?: string;
  $defs?: Record<string, JsonSchema>;
}

interface Row {
  field: string;
  type: string;
  required: boolean;
  constraints: string;
}

interface Table {
  /** Shown above the table when the schema splits into variants; '' for the main table. */
  title: string;
  rows: Row[];
}

type Io = 'input' | 'output';

/** Zod's own limits on integers, not worth a reader's attention. */
const SAFE_INT = Number.MAX_SAFE_INTEGER;

function toJsonSchema(schema: z.ZodType, io: Io): JsonSchema {
  // `unrepresentable: 'any'` so a transform or custom check becomes "any" instead of throwing.
  return z.toJSONSchema(schema, {
    io,
    unrepresentable: 'any',
    override: (ctx) => {
      // An answer field that went through a transform (an ISO instant normalised to UTC) is
      // unrepresentable as output; what is sent is still what the transform's input accepted.
      const def = ctx.zodSchema._zod.def;
      if (io === 'output' && def.type === 'pipe' && Object.keys(ctx.jsonSchema).length === 0) {
        Object.assign(
          ctx.jsonSchema,
          z.toJSONSchema(def.in as z.ZodType, { io: 'input', unrepresentable: 'any' }),
        );
        delete ctx.jsonSchema.$schema;
      }
    },
  }) as JsonSchema;
}

/** Flattens a schema into tables of fields (a union of objects gives one table per variant). */
export function tablesOf(schema: z.ZodType, io: Io): Table[] {
  const root = toJsonSchema(schema, io);
  const defs = root.$defs ?? {};
  const resolve = (node: JsonSchema): JsonSchema => {
    if (!node.$ref) return node;
    const name = node.$ref.replace(/^#\/\$defs\//, '');
    const target = defs[name];
    if (!target) throw new Error(`Unresolved $ref ${node.$ref}`);
    return target;
  };
  const tables: Table[] = [{ title: '', rows: [] }];
  // Defaults are what the server fills in for a request; an answer always carries its values.
  const constraintsOf = (node: JsonSchema, prefix = '') =>
    describeChecks(io === 'output' ? { ...node, default: undefined } : node, prefix);
  const defaultOf = (node: JsonSchema) => (io === 'output' ? '' : describeDefault(node));

  const walk = (raw: JsonSchema, path: string, required: boolean, table: Table): void => {
    const node = resolve(raw);
    const { inner, nullable } = unwrapNullable(node, resolve);
    const variants = objectVariants(inner, resolve);
    if (variants) {
      if (path) {
        table.rows.push({
          field: path,
          type: `one of ${variants.length} shapes${nullable ? ' \\| null' : ''}`,
          required,
          constraints: 'see the tables below',
        });
      }
      const key = discriminator(variants);
      variants.forEach((variant, i) => {
        const when = key
          ? `when \`${key}\` is ${code(JSON.stringify(variant.properties?.[key]?.const))}`
          : `variant ${i + 1}`;
        const sub: Table = {
          title: path ? `\`${path}\` ${when}` : when.replace(/^w/, 'W'),
          rows: [],
        };
        tables.push(sub);
        walkObject(variant, path, sub);
      });
      return;
    }
    if (isObject(inner) && inner.properties) {
      // An array's element row would only repeat "array of objects".
      if (path && !path.endsWith('[]')) {
        table.rows.push({
          field: path,
          type: nullable ? 'object \\| null' : 'object',
          required,
          constraints: constraintsOf(node),
        });
      }
      walkObject(inner, path, table);
      return;
    }
    if (typeOf(inner) === 'array' && inner.items) {
      const items = unwrapNullable(resolve(inner.items), resolve).inner;
      const objectItems = (isObject(items) && items.properties) || objectVariants(items, resolve);
      table.rows.push({
        field: path || '(body)',
        type: `array of ${objectItems ? 'objects' : plural(scalarType(items))}${nullable ? ' \\| null' : ''}`,
        required,
        constraints: joinConstraints([
          constraintsOf(node),
          objectItems ? '' : constraintsOf(items, 'each '),
        ]),
      });
      if (objectItems) walk(inner.items, `${path}[]`, true, table);
      return;
    }
    table.rows.push({
      field: path || '(body)',
      type: `${scalarType(inner)}${nullable ? ' \\| null' : ''}`,
      required,
      constraints: joinConstraints([constraintsOf(inner), inner === node ? '' : defaultOf(node)]),
    });
  };

  const walkObject = (node: JsonSchema, path: string, table: Table): void => {
    const required = new Set(node.required ?? []);
    for (const [name, child] of Object.entries(node.properties ?? {})) {
      walk(child, path ? `${path}.${name}` : name, required.has(name), table);
    }
    const extra = node.additionalProperties;
    // A map's values (z.record); `{}` is a loose object's "other fields", which say nothing.
    if (extra && typeof extra === 'object' && Object.keys(extra).length > 0) {
      walk(extra, `${path ? `${path}.` : ''}<key>`, false, table);
    }
  };

  walk(root, '', true, tables[0]!);
  return tables.filter((t) => t.rows.length > 0);
}

function typeOf(node: JsonSchema): string | undefined {
  return Array.isArray(node.type) ? undefined : node.type;
}

function isObject(node: JsonSchema): boolean {
  return typeOf(node) === 'object' || (node.type === undefined && node.properties !== undefined);
}

/** `X | null` written as anyOf or as a type list, split into X and a flag. */
function unwrapNullable(
  node: JsonSchema,
  resolve: (n: JsonSchema) => JsonSchema,
): { inner: JsonSchema; nullable: boolean } {
  const union = node.anyOf ?? node.oneOf;
  if (union) {
    const rest = union.filter((n) => resolve(n).type !== 'null');
    if (rest.length === union.length - 1 && rest.length >= 1) {
      const inner =
        rest.length === 1 ? resolve(rest[0]!) : { ...node, anyOf: rest, oneOf: undefined };
      return { inner, nullable: true };
    }
  }
  if (Array.isArray(node.type) && node.type.includes('null')) {
    const types = node.type.filter((t) => t !== 'null');
    return { inner: { ...node, type: types.length === 1 ? types[0] : types }, nullable: true };
  }
  return { inner: node, nullable: false };
}

/** The members of a union whose every member is an object, or null. */
function objectVariants(
  node: JsonSchema,
  resolve: (n: JsonSchema) => JsonSchema,
): JsonSchema[] | null {
  const union = node.anyOf ?? node.oneOf;
  if (!union || union.length < 2) return null;
  const members = union.map(resolve);
  return members.every((m) => isObject(m) && m.properties) ? members : null;
}

/** A property every variant fixes to a different constant (`type`, `action`, …). */
function discriminator(variants: JsonSchema[]): string | null {
  const first = variants[0]?.properties ?? {};
  for (const key of Object.keys(first)) {
    const values = variants.map((v) => v.properties?.[key]?.const);
    if (values.every((v) => v !== undefined) && new Set(values.map(String)).size === values.length)
      return key;
  }
  return null;
}

function scalarType(node: JsonSchema): string {
  if (node.const !== undefined) return typeof node.const;
  const union = node.anyOf ?? node.oneOf;
  if (union) return [...new Set(union.map(scalarType))].join(' \\| ');
  if (Array.isArray(node.type)) return node.type.join(' \\| ');
  if (node.type === 'array')
    return `array of ${node.items ? plural(scalarType(node.items)) : 'any'}`;
  if (node.type === 'object') return 'object';
  if (node.type === 'integer') return 'integer';
  return node.type ?? 'any';
}

/** "strings", "integers"; a union stays as it is, in parentheses. */
function plural(type: string): string {
  return /^[a-z]+$/.test(type) && type !== 'any' ? `${type}s` : `(${type})`;
}

const code = (value: unknown) => `\`${String(value).replace(/\|/g, '\\|')}\``;

function describeDefault(node: JsonSchema): string {
  return node.default === undefined ? '' : `default ${code(JSON.stringify(node.default))}`;
}

/** The checks a field carries, in words: lengths, bounds, allowed values, format, default. */
function describeChecks(node: JsonSchema, prefix = ''): string {
  const out: string[] = [];
  if (node.const !== undefined) out.push(`always ${code(JSON.stringify(node.const))}`);
  if (node.enum) out.push(`one of ${node.enum.map((v) => code(v)).join(', ')}`);
  if (node.format) out.push(node.format);
  else if (node.pattern) out.push(`matches ${code(node.pattern)}`);
  const range = (min: number | undefined, max: number | undefined, unit: string) => {
    if (min !== undefined && min === max) out.push(`exactly ${min}${unit}`);
    else if (min !== undefined && max !== undefined) out.push(`${min}–${max}${unit}`);
    else if (min !== undefined) out.push(`≥ ${min}${unit}`);
    else if (max !== undefined) out.push(`≤ ${max}${unit}`);
  };
  range(node.minLength, node.maxLength, ' chars');
  range(node.minItems, node.maxItems, ' items');
  const min = node.minimum !== undefined && node.minimum > -SAFE_INT ? node.minimum : undefined;
  const max = node.maximum !== undefined && node.maximum < SAFE_INT ? node.maximum : undefined;
  range(min, max, '');
  if (node.exclusiveMinimum !== undefined) out.push(`> ${node.exclusiveMinimum}`);
  if (node.exclusiveMaximum !== undefined) out.push(`< ${node.exclusiveMaximum}`);
  const def = describeDefault(node);
  if (def) out.push(def);
  if (node.description) out.push(node.description.replace(/\|/g, '\\|').replace(/\n/g, ' '));
  return out.map((c) => prefix + c).join('; ');
}

function joinConstraints(parts: string[]): string {
  const each = parts.flatMap((p) => p.split('; ')).filter((p) => p !== '');
  return [...new Set(each)].join('; ');
}

function markdownTable(rows: Row[], io: Io): string {
  const head = io === 'input' ? 'required' : 'always there';
  const lines = [`| field | type | ${head} | constraints |`, '| --- | --- | --- | --- |'];
  for (const row of rows) {
    lines.push(
      `| \`${row.field}\` | ${row.type} | ${row.required ? 'yes' : 'no'} | ${row.constraints || '—'} |`,
    );
  }
  return lines.join('\n');
}

function renderShape(label: string, shape: Shape, io: Io): string {
  if (shape instanceof z.ZodType) {
    const tables = tablesOf(shape, io);
    if (tables.length === 0) return `${label}: \`{}\` (no fields).`;
    return [
      `${label}:`,
      ...tables.map((t) =>
        t.title ? `${t.title}:\n\n${markdownTable(t.rows, io)}` : markdownTable(t.rows, io),
      ),
    ].join('\n\n');
  }
  if (shape.kind === 'text') return `${label}: ${shape.text}`;
  return shape.variants.map((v) => renderShape(`${label} (${v.label})`, v.schema, io)).join('\n\n');
}

/** "Who may call it" in words: the lowest role (higher roles may too) and the permission. */
export function whoText(who: Who): string {
  if (who === 'anyone' || who === 'signed in') return who;
  return `${PERMISSIONS[who as Permission]} · \`${who}\``;
}

/** The heading of a route's shape section, and its anchor as GitHub and most viewers make it. */
export function shapeHeading(route: string): { text: string; anchor: string } {
  const text = route;
  const anchor = text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
  return { text, anchor };
}

function routeTable(entries: [string, RouteDoc][]): string {
  const lines = ['| method | path | who | what |', '| --- | --- | --- | --- |'];
  for (const [route, doc] of entries) {
    const [method, path] = route.split(' ') as [string, string];
    const who = [whoText(doc.who), doc.whoNote].filter(Boolean).join(', ');
    const { anchor } = shapeHeading(route);
    const what = `${doc.summary} ([shapes](#${anchor}))`.replace(/\|/g, '\\|');
    lines.push(`| ${method} | ${path.replace(/\|/g, '\\|')} | ${who} | ${what} |`);
  }
  return lines.join('\n');
}

function shapeSection(route: string, doc: RouteDoc): string {
  const parts = [`### ${shapeHeading(route).text}`];
  const who = [whoText(doc.who), doc.whoNote].filter(Boolean).join(', ');
  parts.push(`Who: ${who}. ${doc.summary}`);
  if (doc.query) parts.push(renderShape('Query', doc.query, 'input'));
  if (doc.body) parts.push(renderShape('Body', doc.body, 'input'));
  for (const more of doc.more ?? []) parts.push(renderShape(more.label, more.shape, 'input'));
  parts.push(renderShape(doc.answerLabel ?? 'Answer (`data`)', doc.answer, 'output'));
  return parts.join('\n\n');
}

/** Every generated region of docs/api.md by name: one route table per group, then all shapes. */
export function generatedRegions(): Map<string, string> {
  const regions = new Map<string, string>();
  const entries = Object.entries(API_ROUTES);
  for (const group of API_GROUPS) {
    regions.set(`routes:${group}`, routeTable(entries.filter(([, doc]) => doc.group === group)));
  }
  regions.set('shapes', entries.map(([route, doc]) => shapeSection(route, doc)).join('\n\n'));
  return regions;
}

const REGION = /<!-- generated:begin (\S+) -->\n[\s\S]*?<!-- generated:end \1 -->/g;

/**
 * The document with every generated region replaced. Fails on a region the document lacks or one
 * it names that is not generated, so a group cannot silently drop out of the page.
 */
export function spliceRegions(doc: string, regions: Map<string, string>): string {
  const seen = new Set<string>();
  const out = doc.replace(REGION, (_whole, name: string) => {
    const body = regions.get(name);
    if (body === undefined) throw new Error(`docs/api.md has a region "${name}" nothing generates`);
    seen.add(name);
    return `<!-- generated:begin ${name} -->\n\n${body}\n\n<!-- generated:end ${name} -->`;
  });
  const missing = [...regions.keys()].filter((name) => !seen.has(name));
  if (missing.length > 0) {
    throw new Error(`docs/api.md lacks the generated region(s) ${missing.join(', ')}`);
  }
  return out;
}

/**
 * docs/api.md as `npm run docs:api` writes it: the generated regions replaced, then the whole page
 * through Prettier with the project's settings (tables aligned as `npm run format` would).
 */
export async function renderApiDoc(current: string, file: string): Promise<string> {
  const spliced = spliceRegions(current, generatedRegions());
  const options = (await prettier.resolveConfig(file)) ?? {};
  return prettier.format(spliced, { ...options, filepath: file });
}
