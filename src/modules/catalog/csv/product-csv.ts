import { isUtf8 } from 'node:buffer';
import { Readable } from 'node:stream';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { parse, CsvError } from 'csv-parse';
import { AppException, flattenValidationErrors, formatMinor, isCurrencyCode, ValidationError } from '@app/common';
import { fromScaled } from '../catalog-input';
import { ProductInputDto, VariantInputDto } from '../dto/product.dto';
import type { ImportRowError } from '../entities/catalog-import-run.entity';
import type { ProductPrice } from '../entities/product-price.entity';
import type { ProductVariant } from '../entities/product-variant.entity';
import type { Product } from '../entities/product.entity';
import { normalizeAttributes } from '../products.service';

/**
 * The catalog CSV: one row per variant, the product's fields repeated on each of its rows.
 *
 * Cells: money is a decimal string in the product's currency with at most its exponent's decimals
 * ("29.99", JPY "3000"); weight in kg, dimensions in cm; booleans `true`/`false` (also yes/no, 1/0
 * on import); `tags` and `collections` (slugs) are `;`-joined; `variant_attributes` is a JSON
 * object (`{"size":"M","color":"red"}`), and import also accepts `size=M;color=red`.
 *
 * Import rules: a column missing from the header leaves that field as it is on update (and at its
 * default on create). An empty cell clears a nullable field (description, original_price, tags…)
 * and leaves a required one (name, price, status, stock…) as it is. A product's fields are read
 * from its first row; its other rows may leave them empty or repeat them, but not contradict them.
 */
export const PRODUCT_COLUMNS = [
  'handle',
  'name',
  'description',
  'status',
  'price',
  'original_price',
  'cost_price',
  'currency',
  'category_id',
  'weight',
  'length',
  'width',
  'height',
  'hs_code',
  'country_of_origin',
  'customs_description',
  'requires_shipping',
  'track_inventory',
  'low_stock_threshold',
  'tags',
  'collections',
  'meta_title',
  'meta_description',
] as const;

export const VARIANT_COLUMNS = ['variant_sku', 'variant_price', 'variant_stock', 'variant_status', 'variant_attributes', 'variant_position'] as const;

export type ProductColumn = (typeof PRODUCT_COLUMNS)[number];
export type VariantColumn = (typeof VARIANT_COLUMNS)[number];
export type FixedColumn = ProductColumn | VariantColumn;

/** Enough to create any product; everything else is optional. */
export const REQUIRED_COLUMNS: readonly FixedColumn[] = ['handle', 'name', 'price'];

/**
 * Explicit prices in the store's other currencies: `price_EUR` and `original_price_EUR` for the
 * product, `variant_price_EUR` and `variant_original_price_EUR` for the row's variant.
 */
export const PRICE_KINDS = ['price', 'original_price', 'variant_price', 'variant_original_price'] as const;
export type PriceKind = (typeof PRICE_KINDS)[number];
const PRICE_COLUMN = /^(variant_original_price|variant_price|original_price|price)_([a-z]{3})$/i;

const FIXED_COLUMNS: readonly FixedColumn[] = [...PRODUCT_COLUMNS, ...VARIANT_COLUMNS];

export const priceColumnName = (kind: PriceKind, currency: string) => `${kind}_${currency}`;

/** Larger files are stored and imported by the catalog-import job. */
export const INLINE_ROW_LIMIT = 1_000;

// ---------------------------------------------------------------------------------------------
// Export
// ---------------------------------------------------------------------------------------------

/** The export header: the fixed columns, then four price columns per extra currency. */
export function exportHeader(priceCurrencies: readonly string[]): string[] {
  return [...FIXED_COLUMNS, ...priceCurrencies.flatMap((c) => PRICE_KINDS.map((kind) => priceColumnName(kind, c)))];
}

export interface ExportedProduct {
  product: Product;
  /** Live variants in position order. */
  variants: ProductVariant[];
  collectionSlugs: string[];
  /** Every explicit price of the product and its variants. */
  prices: ProductPrice[];
}

const cell = (value: string | number | boolean | null | undefined): string => (value === null || value === undefined ? '' : String(value));
const money = (minor: number | null, currency: string) => (minor === null ? '' : formatMinor(minor, currency));

/** The product's rows (one per variant), cells in exportHeader(priceCurrencies) order. */
export function exportRows({ product: p, variants, collectionSlugs, prices }: ExportedProduct, priceCurrencies: readonly string[]): string[][] {
  const productCells: Record<ProductColumn, string> = {
    handle: p.handle,
    name: p.name,
    description: cell(p.description),
    status: p.status,
    price: money(p.price, p.currency),
    original_price: money(p.originalPrice, p.currency),
    cost_price: money(p.costPrice, p.currency),
    currency: p.currency,
    category_id: cell(p.categoryId),
    weight: cell(fromScaled(p.weightGrams, 1000)),
    length: cell(fromScaled(p.lengthMm, 10)),
    width: cell(fromScaled(p.widthMm, 10)),
    height: cell(fromScaled(p.heightMm, 10)),
    hs_code: cell(p.hsCode),
    country_of_origin: cell(p.countryOfOrigin),
    customs_description: cell(p.customsDescription),
    requires_shipping: cell(p.requiresShipping),
    track_inventory: cell(p.trackInventory),
    low_stock_threshold: cell(p.lowStockThreshold),
    tags: p.tags.join(';'),
    collections: collectionSlugs.join(';'),
    meta_title: cell(p.metaTitle),
    meta_description: cell(p.metaDescription),
  };
  const priceOf = (variantId: string | null, currency: string) => prices.find((x) => x.variantId === variantId && x.currency === currency);
  const productPriceCells = (currency: string) => {
    const price = priceOf(null, currency);
    return [money(price?.amount ?? null, currency), money(price?.originalAmount ?? null, currency)];
  };

  // A product always has a variant; should one have none, it still gets its row.
  return (variants.length ? variants : [null]).map((v) => {
    const variantCells: Record<VariantColumn, string> = {
      variant_sku: cell(v?.sku),
      variant_price: v ? money(v.price, p.currency) : '',
      variant_stock: cell(v?.stock),
      variant_status: cell(v?.status),
      variant_attributes: v && Object.keys(v.attributes).length ? JSON.stringify(v.attributes) : '',
      variant_position: cell(v?.position),
    };
    const extraPrices = priceCurrencies.flatMap((currency) => {
      const own = v ? priceOf(v.id, currency) : undefined;
      return [...productPriceCells(currency), money(own?.amount ?? null, currency), money(own?.originalAmount ?? null, currency)];
    });
    return [...PRODUCT_COLUMNS.map((c) => productCells[c]), ...VARIANT_COLUMNS.map((c) => variantCells[c]), ...extraPrices];
  });
}

// ---------------------------------------------------------------------------------------------
// Reading the file
// ---------------------------------------------------------------------------------------------

/** A whole-file problem (encoding, header, structure): the import is refused with 422 and nothing is written. */
function fileError(message: string, problems: string[] = [message]): ValidationError {
  return new ValidationError(message, { file: problems });
}

const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** The upload as UTF-8 bytes without a BOM, or 422 for anything else (we do not guess encodings). */
export function decodeCsvUpload(bytes: Buffer): Buffer {
  if (!isUtf8(bytes)) throw fileError('file: is not valid UTF-8 text; save the CSV as UTF-8');
  return bytes.subarray(0, 3).equals(UTF8_BOM) ? bytes.subarray(3) : bytes;
}

export interface CsvRecord {
  /** The line the record starts on (the header is line 1); a quoted cell may span lines. */
  line: number;
  cells: string[];
}

/** A whole file, or its pieces in order (a stored upload read a few megabytes at a time). */
export type CsvSource = Buffer | AsyncIterable<Buffer>;

const CHUNK_BYTES = 64 * 1024;
const NEWLINE = 0x0a;
const CR = 0x0d;

/**
 * The bytes handed to the parser that line counting may still look at, addressed by their offset
 * in the file; bytes before the last counted record are let go, so a streamed file is never held whole.
 */
class ByteWindow {
  private chunks: { start: number; bytes: Buffer }[] = [];
  private end = 0;

  push(bytes: Buffer): void {
    this.chunks.push({ start: this.end, bytes });
    this.end += bytes.length;
  }

  at(offset: number): number | undefined {
    for (const { start, bytes } of this.chunks) if (offset < start + bytes.length) return offset >= start ? bytes[offset - start] : undefined;
    return undefined;
  }

  countNewlines(from: number, to: number): number {
    let count = 0;
    for (const { start, bytes } of this.chunks) {
      if (start + bytes.length <= from) continue;
      if (start >= to) break;
      const end = Math.min(to - start, bytes.length);
      for (let at = bytes.indexOf(NEWLINE, Math.max(0, from - start)); at !== -1 && at < end; at = bytes.indexOf(NEWLINE, at + 1)) count++;
    }
    return count;
  }

  /** Forgets the bytes before this offset. */
  release(offset: number): void {
    while (this.chunks.length && this.chunks[0].start + this.chunks[0].bytes.length <= offset) this.chunks.shift();
  }
}

/**
 * The file's records, streamed. Line numbers are counted here from byte offsets, because the
 * parser's own count treats a CR inside a quoted cell as a line break. Blank rows (also rows of
 * only commas, as spreadsheets leave them) are skipped and not counted.
 */
export async function* readCsvRecords(source: CsvSource): AsyncGenerator<CsvRecord> {
  const window = new ByteWindow();
  const chunks = (async function* () {
    for await (const piece of Buffer.isBuffer(source) ? [source] : source) {
      for (let at = 0; at < piece.length; at += CHUNK_BYTES) {
        const bytes = piece.subarray(at, at + CHUNK_BYTES);
        window.push(bytes);
        yield bytes;
      }
    }
  })();
  const parser = Readable.from(chunks).pipe(
    parse({ info: true, relax_column_count: true, skip_empty_lines: true, skip_records_with_empty_values: true }),
  );
  let previousEnd = 0;
  let counted = 0;
  let newlines = 0;
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { bytes: number } }>) {
      // The record starts after the previous one and any blank lines in between.
      let start = previousEnd;
      for (let byte = window.at(start); start < info.bytes && (byte === NEWLINE || byte === CR); byte = window.at(start)) start++;
      newlines += window.countNewlines(counted, start);
      counted = start;
      previousEnd = info.bytes;
      window.release(counted);
      yield { line: newlines + 1, cells: record };
    }
  } catch (err) {
    // The parser's message names the line ("Quote Not Closed: … at line 3").
    if (err instanceof CsvError) throw fileError(`file: malformed CSV: ${err.message}`);
    throw err;
  } finally {
    parser.destroy();
  }
}

export interface PriceColumn {
  kind: PriceKind;
  currency: string;
  index: number;
}

export interface CsvHeader {
  /** Where each fixed column present in the file is. */
  index: Map<FixedColumn, number>;
  prices: PriceColumn[];
}

/** Reads and checks the header row: every column known, none twice, the required ones present. */
export function parseHeader(cells: string[] | undefined): CsvHeader {
  if (!cells) throw fileError('file: is empty; the first line must be the header');
  const index = new Map<FixedColumn, number>();
  const prices: PriceColumn[] = [];
  const seen = new Set<string>();
  const unknown: string[] = [];
  const duplicated: string[] = [];
  cells.forEach((raw, i) => {
    const name = raw.trim();
    const fixed = FIXED_COLUMNS.find((c) => c === name.toLowerCase());
    const price = PRICE_COLUMN.exec(name);
    const canonical = fixed ?? (price ? priceColumnName(price[1].toLowerCase() as PriceKind, price[2].toUpperCase()) : null);
    if (!canonical || (price && !isCurrencyCode(price[2].toUpperCase()))) return void unknown.push(name || `(empty, column ${i + 1})`);
    if (seen.has(canonical)) return void duplicated.push(canonical);
    seen.add(canonical);
    if (fixed) index.set(fixed, i);
    else prices.push({ kind: price![1].toLowerCase() as PriceKind, currency: price![2].toUpperCase(), index: i });
  });
  const missing: string[] = REQUIRED_COLUMNS.filter((c) => !index.has(c));
  // An original price means nothing without the price it is compared to.
  for (const { kind, currency } of prices.filter((p) => p.kind.endsWith('original_price'))) {
    const base = priceColumnName(kind === 'original_price' ? 'price' : 'variant_price', currency);
    if (!seen.has(base)) missing.push(`${base} (for ${priceColumnName(kind, currency)})`);
  }
  const problems = [
    ...(unknown.length ? [`unknown columns: ${unknown.join(', ')}`] : []),
    ...(missing.length ? [`missing required columns: ${missing.join(', ')}`] : []),
    ...(duplicated.length ? [`columns given twice: ${duplicated.join(', ')}`] : []),
  ];
  if (problems.length) throw fileError(`file: the CSV header has ${problems.join('; ')}`, problems);
  return { index, prices };
}

/** Header check and data-row count: the cheap first pass that decides inline or queued, and refuses a bad file before anything is written. */
export async function scanCsv(csv: Buffer): Promise<{ header: CsvHeader; dataRows: number }> {
  let header: CsvHeader | undefined;
  let dataRows = 0;
  for await (const record of readCsvRecords(csv)) {
    if (!header) header = parseHeader(record.cells);
    else dataRows++;
  }
  return { header: header ?? parseHeader(undefined), dataRows };
}

// ---------------------------------------------------------------------------------------------
// Rows → product groups
// ---------------------------------------------------------------------------------------------

/** An explicit price cell pair: undefined when the column is absent, null when the cell is empty. */
export interface PriceCells {
  price?: string | null;
  original_price?: string | null;
}

export interface ProductRow {
  line: number;
  /** The product columns read and validated (shared with the previous row when it repeats them). */
  part: ProductPart;
  /** Normalized (lower-case) handle, or null when the row has none. */
  handle: string | null;
  /** The product columns present, as the API's create/update input. */
  product: ProductInputDto;
  /** Trimmed non-empty text of each product-level cell, to check that a product's rows agree. */
  productCells: Map<string, string>;
  /** The variant columns present; `attributes` already normalized. */
  variant: VariantInputDto;
  productPrices: Map<string, PriceCells>;
  variantPrices: Map<string, PriceCells>;
  errors: ImportRowError[];
}

export interface ProductGroup {
  handle: string | null;
  rows: ProductRow[];
  /** 0-based index of the group's first data row, so a resumed run can skip what it already did. */
  firstRowIndex: number;
  /** Problems found in the file itself; a group with any is not applied. */
  errors: ImportRowError[];
}

type CellReader = (text: string) => unknown;

/** Empty means "not given": the field keeps its value (update) or gets its default (create). */
const keepIfEmpty: CellReader = (text) => (text.trim() === '' ? undefined : text.trim());
/** Empty clears the field (null). */
const clearIfEmpty: CellReader = (text) => (text.trim() === '' ? null : text.trim());
/** As clearIfEmpty, but the text is kept exactly (descriptions keep their spacing). */
const clearIfEmptyRaw: CellReader = (text) => (text === '' ? null : text);
// Numbers are converted only when they look like numbers; anything else stays text, so the
// DTO's own validation refuses it with its usual message.
const decimal: CellReader = (text) => (text.trim() === '' ? null : /^\d+(\.\d+)?$/.test(text.trim()) ? Number(text.trim()) : text.trim());
const integer = (empty: null | undefined): CellReader => (text) => (text.trim() === '' ? empty : /^-?\d+$/.test(text.trim()) ? Number(text.trim()) : text.trim());
const BOOLEANS: Record<string, boolean> = { true: true, false: false, yes: true, no: false, '1': true, '0': false };
const boolean: CellReader = (text) => (text.trim() === '' ? undefined : BOOLEANS[text.trim().toLowerCase()] ?? text.trim());
const list = (lower: boolean): CellReader => (text) =>
  text
    .split(';')
    .map((s) => (lower ? s.trim().toLowerCase() : s.trim()))
    .filter(Boolean);

/** How each product column becomes a ProductInputDto field (of the same name). */
const PRODUCT_READERS: Record<ProductColumn, CellReader> = {
  handle: keepIfEmpty,
  name: keepIfEmpty,
  description: clearIfEmptyRaw,
  status: keepIfEmpty,
  price: keepIfEmpty,
  original_price: clearIfEmpty,
  cost_price: clearIfEmpty,
  currency: keepIfEmpty,
  category_id: clearIfEmpty,
  weight: decimal,
  length: decimal,
  width: decimal,
  height: decimal,
  hs_code: clearIfEmpty,
  country_of_origin: clearIfEmpty,
  customs_description: clearIfEmpty,
  requires_shipping: boolean,
  track_inventory: boolean,
  low_stock_threshold: integer(null),
  tags: list(false),
  collections: list(true),
  meta_title: clearIfEmpty,
  meta_description: clearIfEmpty,
};

/** Variant columns and the VariantInputDto field each fills. */
const VARIANT_FIELDS: Record<VariantColumn, { field: keyof VariantInputDto; read: CellReader }> = {
  variant_sku: { field: 'sku', read: clearIfEmpty },
  variant_price: { field: 'price', read: clearIfEmpty },
  variant_stock: { field: 'stock', read: integer(undefined) },
  variant_status: { field: 'status', read: keepIfEmpty },
  variant_attributes: { field: 'attributes', read: (text) => text },
  variant_position: { field: 'position', read: integer(undefined) },
};
const VARIANT_COLUMN_OF = Object.fromEntries(Object.entries(VARIANT_FIELDS).map(([column, { field }]) => [field, column])) as Record<string, VariantColumn>;

/** `{"size":"M"}` or `size=M;color=red`, normalized as the API does (names lower-cased, values trimmed). */
export function parseAttributes(text: string): Record<string, string> {
  const trimmed = text.trim();
  if (!trimmed) return {};
  let raw: unknown;
  if (trimmed.startsWith('{')) {
    try {
      raw = JSON.parse(trimmed);
    } catch {
      throw new ValidationError('variant_attributes: is not a valid JSON object', { variant_attributes: ['is not valid JSON'] });
    }
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new ValidationError('variant_attributes: must be a JSON object', { variant_attributes: ['must be an object'] });
  } else {
    const pairs: Record<string, string> = {};
    for (const part of trimmed.split(';').filter((s) => s.trim())) {
      const eq = part.indexOf('=');
      if (eq <= 0) throw new ValidationError(`variant_attributes: "${part.trim()}" is not key=value`, { variant_attributes: ['expected key=value;key=value or a JSON object'] });
      pairs[part.slice(0, eq)] = part.slice(eq + 1);
    }
    raw = pairs;
  }
  try {
    return normalizeAttributes(raw as Record<string, unknown>);
  } catch (err) {
    if (err instanceof ValidationError) throw new ValidationError(`variant_attributes: ${err.message}`, { variant_attributes: [err.message] });
    throw err;
  }
}

const VALIDATION = { whitelist: true, forbidUnknownValues: true, validationError: { target: false, value: false } } as const;

/** "stock must not be less than 0" → "variant_stock: must not be less than 0". */
function columnMessage(column: string, field: string, message: string): string {
  return `${column}: ${message.startsWith(`${field} `) ? message.slice(field.length + 1) : message}`;
}

/** The DTO with the API's own validation (class-validator rules, transforms), errors named by column. */
function validated<T extends object>(dto: new () => T, plain: Record<string, unknown>, line: number, columnOf: (field: string) => string, errors: ImportRowError[]): T {
  const instance = plainToInstance(dto, plain);
  const fields = flattenValidationErrors(validateSync(instance, VALIDATION));
  for (const [field, messages] of Object.entries(fields)) {
    const top = field.split('.')[0];
    const column = columnOf(top);
    errors.push({ line, column, message: columnMessage(column, top, messages[0]) });
  }
  return instance;
}

/**
 * What a row's product columns say, read and validated. A product's fields repeat on each of its
 * rows (the export writes them so); a row repeating the previous row's product cells exactly shares
 * its part instead of validating the same cells again.
 */
export interface ProductPart {
  /** The raw product cells (product columns and product price columns), to recognise a repeat. */
  cells: string[];
  product: ProductInputDto;
  productCells: Map<string, string>;
  productPrices: Map<string, PriceCells>;
  /** The cells' problems, reported on every row that has them (each with its own line). */
  errors: Omit<ImportRowError, 'line'>[];
  handleMissing: boolean;
}

function productCellsOf(header: CsvHeader, cells: string[]): string[] {
  const raw: string[] = [];
  for (const column of PRODUCT_COLUMNS) {
    const at = header.index.get(column);
    if (at !== undefined) raw.push(cells[at] ?? '');
  }
  for (const { kind, index } of header.prices) if (!kind.startsWith('variant_')) raw.push(cells[index] ?? '');
  return raw;
}

function readProductPart(header: CsvHeader, cells: string[], raw: string[], line: number): ProductPart {
  const productPlain: Record<string, unknown> = {};
  const productCells = new Map<string, string>();
  for (const column of PRODUCT_COLUMNS) {
    const at = header.index.get(column);
    if (at === undefined) continue;
    const text = cells[at] ?? '';
    const value = PRODUCT_READERS[column](text);
    if (value !== undefined) productPlain[column] = value;
    if (text.trim()) productCells.set(column, text.trim());
  }
  const productPrices = new Map<string, PriceCells>();
  for (const { kind, currency, index } of header.prices) {
    if (kind.startsWith('variant_')) continue;
    const text = (cells[index] ?? '').trim();
    const entry = productPrices.get(currency) ?? {};
    entry[kind.endsWith('original_price') ? 'original_price' : 'price'] = text || null;
    productPrices.set(currency, entry);
    if (text) productCells.set(priceColumnName(kind, currency), text);
  }
  const errors: ImportRowError[] = [];
  const product = validated(ProductInputDto, productPlain, line, (field) => field, errors);
  return { cells: raw, product, productCells, productPrices, errors: errors.map(({ line: _line, ...e }) => e), handleMissing: productPlain.handle === undefined };
}

const sameCells = (a: string[], b: string[]) => a.length === b.length && a.every((cell, i) => cell === b[i]);

/**
 * One data row as API inputs, with every problem the row shows on its own. `previous` is the row
 * before it: when this row repeats its product cells, the product part is shared, not re-validated.
 */
export function readProductRow(header: CsvHeader, record: CsvRecord, previous?: ProductRow | null): ProductRow {
  const { line, cells } = record;
  const errors: ImportRowError[] = [];
  const raw = productCellsOf(header, cells);
  const part = previous && sameCells(previous.part.cells, raw) ? previous.part : readProductPart(header, cells, raw, line);

  const variantPlain: Record<string, unknown> = {};
  for (const column of VARIANT_COLUMNS) {
    const at = header.index.get(column);
    if (at === undefined) continue;
    const { field, read } = VARIANT_FIELDS[column];
    if (column === 'variant_attributes') {
      try {
        variantPlain.attributes = parseAttributes(cells[at] ?? '');
      } catch (err) {
        errors.push({ line, column, message: (err as AppException).message });
      }
      continue;
    }
    const value = read(cells[at] ?? '');
    if (value !== undefined) variantPlain[field] = value;
  }
  const variantPrices = new Map<string, PriceCells>();
  for (const { kind, currency, index } of header.prices) {
    if (!kind.startsWith('variant_')) continue;
    const text = (cells[index] ?? '').trim();
    const entry = variantPrices.get(currency) ?? {};
    entry[kind.endsWith('original_price') ? 'original_price' : 'price'] = text || null;
    variantPrices.set(currency, entry);
  }

  // Unknown and duplicate header columns are refused, so the header's width is what it named.
  const width = header.index.size + header.prices.length;
  if (cells.length !== width) errors.push({ line, message: `row has ${cells.length} cells, the header has ${width}` });
  errors.push(...part.errors.map((e) => ({ line, ...e })));
  const variant = validated(VariantInputDto, variantPlain, line, (field) => VARIANT_COLUMN_OF[field] ?? field, errors);
  if (part.handleMissing) errors.push({ line, column: 'handle', message: 'handle: is required on every row' });
  const { product, productCells, productPrices } = part;
  const handle = typeof product.handle === 'string' && !errors.some((e) => e.column === 'handle') ? product.handle : null;
  return { line, handle, part, product, productCells, variant, productPrices, variantPrices, errors: errors.map((e) => ({ ...e, ...(handle ? { handle } : {}) })) };
}

export function sameAttributes(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => b[k] === a[k]);
}

/**
 * Groups consecutive rows of one handle into products and checks what only the file can tell:
 * a product's rows agree on its fields and sit together, a sku appears once in the file, and no
 * two variants of a product have the same attributes. Streams: memory holds one product's rows
 * plus the handles and skus already seen, not the file.
 */
export class ProductGroupReader {
  /** handle → line of the first row of its (closed) group */
  private readonly handlesSeen = new Map<string, number>();
  /** sku → line where it first appeared */
  private readonly skusSeen = new Map<string, number>();
  private current: ProductGroup | null = null;
  private previous: ProductRow | null = null;
  private rowIndex = 0;

  constructor(private readonly header: CsvHeader) {}

  /** Adds a row; returns the group it closed, if any. */
  add(record: CsvRecord): ProductGroup | null {
    const row = readProductRow(this.header, record, this.previous);
    this.previous = row;
    this.checkSku(row);
    const index = this.rowIndex++;
    if (this.current && row.handle !== null && row.handle === this.current.handle) {
      this.addToCurrent(row);
      return null;
    }
    const closed = this.close();
    this.current = { handle: row.handle, rows: [], firstRowIndex: index, errors: [] };
    const firstSeen = row.handle === null ? undefined : this.handlesSeen.get(row.handle);
    if (firstSeen !== undefined) {
      this.current.errors.push({ line: row.line, column: 'handle', handle: row.handle!, message: `handle: ${row.handle} already appeared at line ${firstSeen}; keep a product's rows together` });
    }
    this.addToCurrent(row);
    return closed;
  }

  /** The last group, at the end of the file. */
  close(): ProductGroup | null {
    const closed = this.current;
    this.current = null;
    if (closed?.handle && !this.handlesSeen.has(closed.handle)) this.handlesSeen.set(closed.handle, closed.rows[0].line);
    return closed;
  }

  private checkSku(row: ProductRow): void {
    const sku = row.variant.sku;
    if (!sku) return;
    const first = this.skusSeen.get(sku);
    if (first !== undefined) row.errors.push({ line: row.line, column: 'variant_sku', handle: row.handle ?? undefined, message: `variant_sku: ${sku} is already used at line ${first}` });
    else this.skusSeen.set(sku, row.line);
  }

  private addToCurrent(row: ProductRow): void {
    const group = this.current!;
    const first = group.rows[0];
    group.errors.push(...row.errors);
    // A product's fields come from its first row; later rows may leave them empty, not contradict them
    // (a row repeating them exactly shares the first row's cells).
    if (first) {
      for (const [column, text] of row.productCells === first.productCells ? [] : row.productCells) {
        if (first.productCells.get(column) !== text) {
          group.errors.push({ line: row.line, column, handle: row.handle!, message: `${column}: differs from the product's first row (line ${first.line}); leave it empty or repeat it` });
        }
      }
      const attributes = row.variant.attributes;
      const twin = attributes && Object.keys(attributes).length ? group.rows.find((r) => r.variant.attributes && sameAttributes(r.variant.attributes, attributes)) : undefined;
      if (twin) group.errors.push({ line: row.line, column: 'variant_attributes', handle: row.handle!, message: `variant_attributes: same attributes as line ${twin.line}` });
    }
    group.rows.push(row);
  }
}
