import { Router } from "express";

// Catalog API: products and everything around them (brands, categories, prices,
// promotions, coupons, gift cards, reviews, shipping and tax). Each resource has a
// validator, an in-memory table and list/get/create/update/delete operations.

export type FieldErrors = Record<string, string>;

export class ValidationError extends Error {
  constructor(public readonly fields: FieldErrors) {
    super("validation failed");
    this.name = "ValidationError";
  }
}

export class NotFoundError extends Error {
  constructor(kind: string, id: string) {
    super(`${kind} ${id} not found`);
    this.name = "NotFoundError";
  }
}

export interface Page<T> {
  items: T[];
  total: number;
  offset: number;
  limit: number;
}

export interface ListQuery {
  q?: string;
  offset: number;
  limit: number;
  filters: Record<string, string>;
}

type Source = Record<string, unknown>;

const CURRENCIES = new Set(["EUR", "USD", "GBP", "CHF", "SEK", "DKK", "PLN"]);
const COUNTRY = /^[A-Z]{2}$/;
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?Z)?$/;
const URL_PREFIX = /^https?:\/\//;

let sequence = 0;

function nextId(prefix: string): string {
  sequence += 1;
  return `${prefix}_${Date.now().toString(36)}${sequence.toString(36).padStart(4, "0")}`;
}

function now(): string {
  return new Date().toISOString();
}

export function slugify(text: string): string {
  return text
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
}

function uniqueSlug(table: Map<string, { slug: string }>, name: string): string {
  const base = slugify(name) || "item";
  const taken = new Set([...table.values()].map((item) => item.slug));
  let slug = base;
  for (let n = 2; taken.has(slug); n += 1) {
    slug = `${base}-${n}`;
  }
  return slug;
}

function asObject(body: unknown): Source {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new ValidationError({ body: "expected a JSON object" });
  }
  return body as Source;
}

function fail(errors: FieldErrors): void {
  if (Object.keys(errors).length > 0) {
    throw new ValidationError(errors);
  }
}

function str(src: Source, key: string, errors: FieldErrors, max = 200): string {
  const value = src[key];
  if (typeof value !== "string" || value.trim() === "") {
    errors[key] = "required text";
    return "";
  }
  if (value.length > max) {
    errors[key] = `at most ${max} characters`;
  }
  return value.trim();
}

function optStr(src: Source, key: string, errors: FieldErrors, max = 2000): string | undefined {
  if (src[key] === undefined || src[key] === null) {
    return undefined;
  }
  return str(src, key, errors, max);
}

function int(src: Source, key: string, errors: FieldErrors, min: number, max: number): number {
  const value = src[key];
  if (typeof value !== "number" || !Number.isInteger(value)) {
    errors[key] = "expected an integer";
    return min;
  }
  if (value < min || value > max) {
    errors[key] = `between ${min} and ${max}`;
  }
  return value;
}

function money(src: Source, key: string, errors: FieldErrors): number {
  const value = src[key];
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    errors[key] = "expected a non-negative amount";
    return 0;
  }
  if (Math.abs(value * 100 - Math.round(value * 100)) > 1e-6) {
    errors[key] = "at most two decimals";
  }
  return value;
}

function optMoney(src: Source, key: string, errors: FieldErrors): number | undefined {
  return src[key] === undefined || src[key] === null ? undefined : money(src, key, errors);
}

function percent(src: Source, key: string, errors: FieldErrors): number {
  const value = src[key];
  if (typeof value !== "number" || value < 0 || value > 100) {
    errors[key] = "expected a percentage between 0 and 100";
    return 0;
  }
  return value;
}

function bool(src: Source, key: string, errors: FieldErrors, fallback: boolean): boolean {
  const value = src[key];
  if (value === undefined) {
    return fallback;
  }
  if (typeof value !== "boolean") {
    errors[key] = "expected true or false";
    return fallback;
  }
  return value;
}

function oneOf<T extends string>(
  src: Source,
  key: string,
  allowed: readonly T[],
  errors: FieldErrors,
): T {
  const value = src[key];
  if (typeof value !== "string" || !(allowed as readonly string[]).includes(value)) {
    errors[key] = `one of ${allowed.join(", ")}`;
    return allowed[0];
  }
  return value as T;
}

function list(src: Source, key: string, errors: FieldErrors, maxItems = 100): string[] {
  const value = src[key];
  if (value === undefined) {
    return [];
  }
  if (!Array.isArray(value) || value.some((item) => typeof item !== "string")) {
    errors[key] = "expected a list of strings";
    return [];
  }
  if (value.length > maxItems) {
    errors[key] = `at most ${maxItems} items`;
  }
  return [...new Set(value as string[])];
}

function currency(src: Source, key: string, errors: FieldErrors): string {
  const value = str(src, key, errors, 3).toUpperCase();
  if (!errors[key] && !CURRENCIES.has(value)) {
    errors[key] = "unsupported currency";
  }
  return value;
}

function country(src: Source, key: string, errors: FieldErrors): string {
  const value = str(src, key, errors, 2).toUpperCase();
  if (!errors[key] && !COUNTRY.test(value)) {
    errors[key] = "expected an ISO 3166-1 alpha-2 code";
  }
  return value;
}

function email(src: Source, key: string, errors: FieldErrors): string {
  const value = str(src, key, errors, 320).toLowerCase();
  if (!errors[key] && !EMAIL.test(value)) {
    errors[key] = "expected an email address";
  }
  return value;
}

function optEmail(src: Source, key: string, errors: FieldErrors): string | undefined {
  return src[key] === undefined || src[key] === null ? undefined : email(src, key, errors);
}

function date(src: Source, key: string, errors: FieldErrors): string {
  const value = str(src, key, errors, 40);
  if (!errors[key] && (!ISO_DATE.test(value) || Number.isNaN(Date.parse(value)))) {
    errors[key] = "expected an ISO 8601 date";
  }
  return value;
}

function optDate(src: Source, key: string, errors: FieldErrors): string | undefined {
  return src[key] === undefined || src[key] === null ? undefined : date(src, key, errors);
}

function optUrl(src: Source, key: string, errors: FieldErrors): string | undefined {
  const value = optStr(src, key, errors, 500);
  if (value !== undefined && !errors[key] && !URL_PREFIX.test(value)) {
    errors[key] = "expected an http(s) URL";
  }
  return value;
}

function ref(
  src: Source,
  key: string,
  table: Map<string, unknown>,
  kind: string,
  errors: FieldErrors,
): string {
  const value = src[key];
  if (typeof value !== "string" || !table.has(value)) {
    errors[key] = `unknown ${kind}`;
    return "";
  }
  return value;
}

function optRef(
  src: Source,
  key: string,
  table: Map<string, unknown>,
  kind: string,
  errors: FieldErrors,
): string | undefined {
  return src[key] === undefined || src[key] === null
    ? undefined
    : ref(src, key, table, kind, errors);
}

export function parseListQuery(query: Record<string, unknown>): ListQuery {
  const filters: Record<string, string> = {};
  for (const [key, value] of Object.entries(query)) {
    if (typeof value === "string" && !["q", "offset", "limit"].includes(key)) {
      filters[key] = value;
    }
  }
  const offset = Math.max(0, Number.parseInt(String(query.offset ?? "0"), 10) || 0);
  const limit = Math.min(100, Math.max(1, Number.parseInt(String(query.limit ?? "20"), 10) || 20));
  const q = typeof query.q === "string" && query.q !== "" ? query.q.toLowerCase() : undefined;
  return { q, offset, limit, filters };
}

function page<T>(items: T[], query: ListQuery): Page<T> {
  return {
    items: items.slice(query.offset, query.offset + query.limit),
    total: items.length,
    offset: query.offset,
    limit: query.limit,
  };
}

function matches(query: ListQuery, ...texts: (string | undefined)[]): boolean {
  const q = query.q;
  if (q === undefined) {
    return true;
  }
  return texts.some((text) => text !== undefined && text.toLowerCase().includes(q));
}

function filterBy(query: ListQuery, key: string, value: unknown): boolean {
  const wanted = query.filters[key];
  return wanted === undefined || String(value) === wanted;
}

function found<T>(table: Map<string, T>, kind: string, id: string): T {
  const item = table.get(id);
  if (item === undefined) {
    throw new NotFoundError(kind, id);
  }
  return item;
}

export const PRODUCT_STATUSES = ["draft", "active", "archived"] as const;
export type ProductStatus = (typeof PRODUCT_STATUSES)[number];
export const TAX_CLASSES = ["standard", "reduced", "zero"] as const;
export type TaxClass = (typeof TAX_CLASSES)[number];
export const CUSTOMER_GROUPS = ["retail", "wholesale", "staff"] as const;
export type CustomerGroup = (typeof CUSTOMER_GROUPS)[number];
export const PROMOTION_KINDS = ["percent", "fixed"] as const;
export type PromotionKind = (typeof PROMOTION_KINDS)[number];
export const REVIEW_STATUSES = ["pending", "approved", "rejected"] as const;
export type ReviewStatus = (typeof REVIEW_STATUSES)[number];

// Brands

export interface Brand {
  id: string;
  name: string;
  country: string;
  website?: string;
  description?: string;
  active: boolean;
  slug: string;
  createdAt: string;
  updatedAt: string;
}

export type BrandInput = Omit<Brand, "id" | "createdAt" | "updatedAt" | "slug">;

export const brands = new Map<string, Brand>();

export function validateBrand(body: unknown, partial = false): Partial<BrandInput> {
  const src = asObject(body);
  const errors: FieldErrors = {};
  const out: Partial<BrandInput> = {};
  if (!partial || "name" in src) out.name = str(src, "name", errors, 120);
  if (!partial || "country" in src) out.country = country(src, "country", errors);
  if ("website" in src) out.website = optUrl(src, "website", errors);
  if ("description" in src) out.description = optStr(src, "description", errors, 2000);
  if (!partial || "active" in src) out.active = bool(src, "active", errors, true);
  fail(errors);
  return out;
}

export function listBrands(query: ListQuery): Page<Brand> {
  const items = [...brands.values()].filter(
    (x) =>
      matches(query, x.name, x.country) &&
      filterBy(query, "active", x.active) &&
      filterBy(query, "country", x.country),
  );
  return page(items, query);
}

export function getBrand(id: string): Brand {
  return found(brands, "brand", id);
}

export function createBrand(input: BrandInput): Brand {
  const at = now();
  const brand: Brand = {
    ...input,
    id: nextId("brd"),
    slug: uniqueSlug(brands, input.name),
    createdAt: at,
    updatedAt: at,
  };
  brands.set(brand.id, brand);
  return brand;
}

export function updateBrand(id: string, patch: Partial<BrandInput>): Brand {
  const current = found(brands, "brand", id);
  const next: Brand = { ...current, ...patch, id, updatedAt: now() };
  brands.set(id, next);
  return next;
}

export function deleteBrand(id: string): void {
  found(brands, "brand", id);
  if ([...products.values()].some((x) => x.brandId === id)) {
    throw new ValidationError({ id: "brand is used by product records" });
  }
  brands.delete(id);
}

// Categories

export interface Category {
  id: string;
  name: string;
  parentId?: string;
  description?: string;
  position: number;
  visible: boolean;
  slug: string;
  createdAt: string;
  updatedAt: string;
}

export type CategoryInput = Omit<Category, "id" | "createdAt" | "updatedAt" | "slug">;

export const categories = new Map<string, Category>();

export function validateCategory(body: unknown, partial = false): Partial<CategoryInput> {
  const src = asObject(body);
  const errors: FieldErrors = {};
  const out: Partial<CategoryInput> = {};
  if (!partial || "name" in src) out.name = str(src, "name", errors, 120);
  if ("parentId" in src) out.parentId = optRef(src, "parentId", categories, "category", errors);
  if ("description" in src) out.description = optStr(src, "description", errors, 2000);
  if (!partial || "position" in src) out.position = int(src, "position", errors, 0, 10000);
  if (!partial || "visible" in src) out.visible = bool(src, "visible", errors, true);
  fail(errors);
  return out;
}

export function listCategories(query: ListQuery): Page<Category> {
  const items = [...categories.values()].filter(
    (x) =>
      matches(query, x.name) &&
      filterBy(query, "parentId", x.parentId) &&
      filterBy(query, "visible", x.visible),
  );
  return page(items, query);
}

export function getCategory(id: string): Category {
  return found(categories, "category", id);
}

export function createCategory(input: CategoryInput): Category {
  const at = now();
  const category: Category = {
    ...input,
    id: nextId("cat"),
    slug: uniqueSlug(categories, input.name),
    createdAt: at,
    updatedAt: at,
  };
  categories.set(category.id, category);
  return category;
}

export function updateCategory(id: string, patch: Partial<CategoryInput>): Category {
  const current = found(categories, "category", id);
  const next: Category = { ...current, ...patch, id, updatedAt: now() };
  categories.set(id, next);
  return next;
}

export function deleteCategory(id: string): void {
  found(categories, "category", id);
  if ([...categories.values()].some((x) => x.parentId === id)) {
    throw new ValidationError({ id: "category is used by category records" });
  }
  if ([...products.values()].some((x) => x.categoryId === id)) {
    throw new ValidationError({ id: "category is used by product records" });
  }
  categories.delete(id);
}

// Products

export interface Product {
  id: string;
  name: string;
  brandId: string;
  categoryId: string;
  description?: string;
  status: ProductStatus;
  tags: string[];
  weightGrams: number;
  taxClass: TaxClass;
  featured: boolean;
  slug: string;
  createdAt: string;
  updatedAt: string;
}

export type ProductInput = Omit<Product, "id" | "createdAt" | "updatedAt" | "slug">;

export const products = new Map<string, Product>();

export function validateProduct(body: unknown, partial = false): Partial<ProductInput> {
  const src = asObject(body);
  const errors: FieldErrors = {};
  const out: Partial<ProductInput> = {};
  if (!partial || "name" in src) out.name = str(src, "name", errors, 200);
  if (!partial || "brandId" in src) out.brandId = ref(src, "brandId", brands, "brand", errors);
  if (!partial || "categoryId" in src) {
    out.categoryId = ref(src, "categoryId", categories, "category", errors);
  }
  if ("description" in src) out.description = optStr(src, "description", errors, 5000);
  if (!partial || "status" in src) out.status = oneOf(src, "status", PRODUCT_STATUSES, errors);
  if (!partial || "tags" in src) out.tags = list(src, "tags", errors);
  if (!partial || "weightGrams" in src) {
    out.weightGrams = int(src, "weightGrams", errors, 0, 100000);
  }
  if (!partial || "taxClass" in src) out.taxClass = oneOf(src, "taxClass", TAX_CLASSES, errors);
  if (!partial || "featured" in src) out.featured = bool(src, "featured", errors, false);
  if (out.status === "active" && out.weightGrams === 0) {
    errors.weightGrams = "active products need a shipping weight";
  }
  fail(errors);
  return out;
}

export function listProducts(query: ListQuery): Page<Product> {
  const items = [...products.values()].filter(
    (x) =>
      matches(query, x.name, x.description) &&
      filterBy(query, "brandId", x.brandId) &&
      filterBy(query, "categoryId", x.categoryId) &&
      filterBy(query, "status", x.status) &&
      filterBy(query, "taxClass", x.taxClass) &&
      filterBy(query, "featured", x.featured),
  );
  return page(items, query);
}

export function getProduct(id: string): Product {
  return found(products, "product", id);
}

export function createProduct(input: ProductInput): Product {
  const at = now();
  const product: Product = {
    ...input,
    id: nextId("prd"),
    slug: uniqueSlug(products, input.name),
    createdAt: at,
    updatedAt: at,
  };
  products.set(product.id, product);
  return product;
}

export function updateProduct(id: string, patch: Partial<ProductInput>): Product {
  const current = found(products, "product", id);
  const next: Product = { ...current, ...patch, id, updatedAt: now() };
  products.set(id, next);
  return next;
}

export function deleteProduct(id: string): void {
  found(products, "product", id);
  if ([...variants.values()].some((x) => x.productId === id)) {
    throw new ValidationError({ id: "product is used by variant records" });
  }
  if ([...reviews.values()].some((x) => x.productId === id)) {
    throw new ValidationError({ id: "product is used by review records" });
  }
  products.delete(id);
}

// Variants

export interface Variant {
  id: string;
  productId: string;
  sku: string;
  optionName: string;
  optionValue: string;
  barcode?: string;
  weightGrams: number;
  active: boolean;
  createdAt: string;
  updatedAt: string;
}

export type VariantInput = Omit<Variant, "id" | "createdAt" | "updatedAt">;

export const variants = new Map<string, Variant>();

export function validateVariant(body: unknown, partial = false): Partial<VariantInput> {
  const src = asObject(body);
  const errors: FieldErrors = {};
  const out: Partial<VariantInput> = {};
  if (!partial || "productId" in src) {
    out.productId = ref(src, "productId", products, "product", errors);
  }
  if (!partial || "sku" in src) out.sku = str(src, "sku", errors, 64);
  if (!partial || "optionName" in src) out.optionName = str(src, "optionName", errors, 40);
  if (!partial || "optionValue" in src) out.optionValue = str(src, "optionValue", errors, 80);
  if ("barcode" in src) out.barcode = optStr(src, "barcode", errors, 32);
  if (!partial || "weightGrams" in src) {
    out.weightGrams = int(src, "weightGrams", errors, 0, 100000);
  }
  if (!partial || "active" in src) out.active = bool(src, "active", errors, true);
  if (!partial && [...variants.values()].some((v) => v.sku === out.sku)) {
    errors.sku = "sku already in use";
  }
  fail(errors);
  return out;
}

export function listVariants(query: ListQuery): Page<Variant> {
  const items = [...variants.values()].filter(
    (x) =>
      matches(query, x.sku, x.optionValue, x.barcode) &&
      filterBy(query, "productId", x.productId) &&
      filterBy(query, "active", x.active),
  );
  return page(items, query);
}

export function getVariant(id: string): Variant {
  return found(variants, "variant", id);
}

export function createVariant(input: VariantInput): Variant {
  const at = now();
  const variant: Variant = {
    ...input,
    id: nextId("var"),
    createdAt: at,
    updatedAt: at,
  };
  variants.set(variant.id, variant);
  return variant;
}

export function updateVariant(id: string, patch: Partial<VariantInput>): Variant {
  const current = found(variants, "variant", id);
  const next: Variant = { ...current, ...patch, id, updatedAt: now() };
  variants.set(id, next);
  return next;
}

export function deleteVariant(id: string): void {
  found(variants, "variant", id);
  if ([...priceEntries.values()].some((x) => x.variantId === id)) {
    throw new ValidationError({ id: "variant is used by price entry records" });
  }
  variants.delete(id);
}

// PriceLists

export interface PriceList {
  id: string;
  name: string;
  currency: string;
  customerGroup: CustomerGroup;
  priority: number;
  active: boolean;
  createdAt: string;
  updatedAt: string;
}

export type PriceListInput = Omit<PriceList, "id" | "createdAt" | "updatedAt">;

export const priceLists = new Map<string, PriceList>();

export function validatePriceList(body: unknown, partial = false): Partial<PriceListInput> {
  const src = asObject(body);
  const errors: FieldErrors = {};
  const out: Partial<PriceListInput> = {};
  if (!partial || "name" in src) out.name = str(src, "name", errors, 120);
  if (!partial || "currency" in src) out.currency = currency(src, "currency", errors);
  if (!partial || "customerGroup" in src) {
    out.customerGroup = oneOf(src, "customerGroup", CUSTOMER_GROUPS, errors);
  }
  if (!partial || "priority" in src) out.priority = int(src, "priority", errors, 0, 100);
  if (!partial || "active" in src) out.active = bool(src, "active", errors, true);
  fail(errors);
  return out;
}

export function listPriceLists(query: ListQuery): Page<PriceList> {
  const items = [...priceLists.values()].filter(
    (x) =>
      matches(query, x.name) &&
      filterBy(query, "currency", x.currency) &&
      filterBy(query, "customerGroup", x.customerGroup) &&
      filterBy(query, "active", x.active),
  );
  return page(items, query);
}

export function getPriceList(id: string): PriceList {
  return found(priceLists, "price list", id);
}

export function createPriceList(input: PriceListInput): PriceList {
  const at = now();
  const priceList: PriceList = {
    ...input,
    id: nextId("prl"),
    createdAt: at,
    updatedAt: at,
  };
  priceLists.set(priceList.id, priceList);
  return priceList;
}

export function updatePriceList(id: string, patch: Partial<PriceListInput>): PriceList {
  const current = found(priceLists, "price list", id);
  const next: PriceList = { ...current, ...patch, id, updatedAt: now() };
  priceLists.set(id, next);
  return next;
}

export function deletePriceList(id: string): void {
  found(priceLists, "price list", id);
  if ([...priceEntries.values()].some((x) => x.priceListId === id)) {
    throw new ValidationError({ id: "price list is used by price entry records" });
  }
  priceLists.delete(id);
}

// PriceEntries

export interface PriceEntry {
  id: string;
  priceListId: string;
  variantId: string;
  amount: number;
  compareAt?: number;
  minQuantity: number;
  createdAt: string;
  updatedAt: string;
}

export type PriceEntryInput = Omit<PriceEntry, "id" | "createdAt" | "updatedAt">;

export const priceEntries = new Map<string, PriceEntry>();

export function validatePriceEntry(body: unknown, partial = false): Partial<PriceEntryInput> {
  const src = asObject(body);
  const errors: FieldErrors = {};
  const out: Partial<PriceEntryInput> = {};
  if (!partial || "priceListId" in src) {
    out.priceListId = ref(src, "priceListId", priceLists, "price list", errors);
  }
  if (!partial || "variantId" in src) {
    out.variantId = ref(src, "variantId", variants, "variant", errors);
  }
  if (!partial || "amount" in src) out.amount = money(src, "amount", errors);
  if ("compareAt" in src) out.compareAt = optMoney(src, "compareAt", errors);
  if (!partial || "minQuantity" in src) out.minQuantity = int(src, "minQuantity", errors, 1, 10000);
  if (out.compareAt !== undefined && out.amount !== undefined && out.compareAt <= out.amount) {
    errors.compareAt = "compare-at price must be above the price";
  }
  fail(errors);
  return out;
}

export function listPriceEntries(query: ListQuery): Page<PriceEntry> {
  const items = [...priceEntries.values()].filter(
    (x) =>
      filterBy(query, "priceListId", x.priceListId) &&
      filterBy(query, "variantId", x.variantId),
  );
  return page(items, query);
}

export function getPriceEntry(id: string): PriceEntry {
  return found(priceEntries, "price entry", id);
}

export function createPriceEntry(input: PriceEntryInput): PriceEntry {
  const at = now();
  const priceEntry: PriceEntry = {
    ...input,
    id: nextId("pre"),
    createdAt: at,
    updatedAt: at,
  };
  priceEntries.set(priceEntry.id, priceEntry);
  return priceEntry;
}

export function updatePriceEntry(id: string, patch: Partial<PriceEntryInput>): PriceEntry {
  const current = found(priceEntries, "price entry", id);
  const next: PriceEntry = { ...current, ...patch, id, updatedAt: now() };
  priceEntries.set(id, next);
  return next;
}

export function deletePriceEntry(id: string): void {
  found(priceEntries, "price entry", id);
  priceEntries.delete(id);
}

// Promotions

export interface Promotion {
  id: string;
  name: string;
  kind: PromotionKind;
  value: number;
  startsAt: string;
  endsAt: string;
  categoryIds: string[];
  active: boolean;
  createdAt: string;
  updatedAt: string;
}

export type PromotionInput = Omit<Promotion, "id" | "createdAt" | "updatedAt">;

export const promotions = new Map<string, Promotion>();

export function validatePromotion(body: unknown, partial = false): Partial<PromotionInput> {
  const src = asObject(body);
  const errors: FieldErrors = {};
  const out: Partial<PromotionInput> = {};
  if (!partial || "name" in src) out.name = str(src, "name", errors, 120);
  if (!partial || "kind" in src) out.kind = oneOf(src, "kind", PROMOTION_KINDS, errors);
  if (!partial || "value" in src) out.value = money(src, "value", errors);
  if (!partial || "startsAt" in src) out.startsAt = date(src, "startsAt", errors);
  if (!partial || "endsAt" in src) out.endsAt = date(src, "endsAt", errors);
  if (!partial || "categoryIds" in src) out.categoryIds = list(src, "categoryIds", errors);
  if (!partial || "active" in src) out.active = bool(src, "active", errors, true);
  if (out.kind === "percent" && (out.value ?? 0) > 100) {
    errors.value = "a percentage cannot exceed 100";
  }
  if (out.startsAt && out.endsAt && out.endsAt <= out.startsAt) {
    errors.endsAt = "must be after startsAt";
  }
  fail(errors);
  return out;
}

export function listPromotions(query: ListQuery): Page<Promotion> {
  const items = [...promotions.values()].filter(
    (x) =>
      matches(query, x.name) &&
      filterBy(query, "kind", x.kind) &&
      filterBy(query, "active", x.active),
  );
  return page(items, query);
}

export function getPromotion(id: string): Promotion {
  return found(promotions, "promotion", id);
}

export function createPromotion(input: PromotionInput): Promotion {
  const at = now();
  const promotion: Promotion = {
    ...input,
    id: nextId("pro"),
    createdAt: at,
    updatedAt: at,
  };
  promotions.set(promotion.id, promotion);
  return promotion;
}

export function updatePromotion(id: string, patch: Partial<PromotionInput>): Promotion {
  const current = found(promotions, "promotion", id);
  const next: Promotion = { ...current, ...patch, id, updatedAt: now() };
  promotions.set(id, next);
  return next;
}

export function deletePromotion(id: string): void {
  found(promotions, "promotion", id);
  if ([...coupons.values()].some((x) => x.promotionId === id)) {
    throw new ValidationError({ id: "promotion is used by coupon records" });
  }
  promotions.delete(id);
}

// Coupons

export interface Coupon {
  id: string;
  code: string;
  promotionId: string;
  maxRedemptions: number;
  minCartTotal: number;
  expiresAt?: string;
  redemptions: number;
  createdAt: string;
  updatedAt: string;
}

export type CouponInput = Omit<Coupon, "id" | "createdAt" | "updatedAt" | "redemptions">;

export const coupons = new Map<string, Coupon>();

export function validateCoupon(body: unknown, partial = false): Partial<CouponInput> {
  const src = asObject(body);
  const errors: FieldErrors = {};
  const out: Partial<CouponInput> = {};
  if (!partial || "code" in src) out.code = str(src, "code", errors, 32);
  if (!partial || "promotionId" in src) {
    out.promotionId = ref(src, "promotionId", promotions, "promotion", errors);
  }
  if (!partial || "maxRedemptions" in src) {
    out.maxRedemptions = int(src, "maxRedemptions", errors, 1, 1000000);
  }
  if (!partial || "minCartTotal" in src) out.minCartTotal = money(src, "minCartTotal", errors);
  if ("expiresAt" in src) out.expiresAt = optDate(src, "expiresAt", errors);
  fail(errors);
  return out;
}

export function listCoupons(query: ListQuery): Page<Coupon> {
  const items = [...coupons.values()].filter(
    (x) =>
      matches(query, x.code) &&
      filterBy(query, "promotionId", x.promotionId),
  );
  return page(items, query);
}

export function getCoupon(id: string): Coupon {
  return found(coupons, "coupon", id);
}

export function createCoupon(input: CouponInput): Coupon {
  const at = now();
  const coupon: Coupon = {
    ...input,
    id: nextId("cpn"),
    redemptions: 0,
    createdAt: at,
    updatedAt: at,
  };
  coupons.set(coupon.id, coupon);
  return coupon;
}

export function updateCoupon(id: string, patch: Partial<CouponInput>): Coupon {
  const current = found(coupons, "coupon", id);
  const next: Coupon = { ...current, ...patch, id, updatedAt: now() };
  coupons.set(id, next);
  return next;
}

export function deleteCoupon(id: string): void {
  found(coupons, "coupon", id);
  coupons.delete(id);
}

// Reviews

export interface Review {
  id: string;
  productId: string;
  author: string;
  email: string;
  rating: number;
  title: string;
  body?: string;
  status: ReviewStatus;
  createdAt: string;
  updatedAt: string;
}

export type ReviewInput = Omit<Review, "id" | "createdAt" | "updatedAt">;

export const reviews = new Map<string, Review>();

export function validateReview(body: unknown, partial = false): Partial<ReviewInput> {
  const src = asObject(body);
  const errors: FieldErrors = {};
  const out: Partial<ReviewInput> = {};
  if (!partial || "productId" in src) {
    out.productId = ref(src, "productId", products, "product", errors);
  }
  if (!partial || "author" in src) out.author = str(src, "author", errors, 80);
  if (!partial || "email" in src) out.email = email(src, "email", errors);
  if (!partial || "rating" in src) out.rating = int(src, "rating", errors, 1, 5);
  if (!partial || "title" in src) out.title = str(src, "title", errors, 120);
  if ("body" in src) out.body = optStr(src, "body", errors, 5000);
  if (!partial || "status" in src) out.status = oneOf(src, "status", REVIEW_STATUSES, errors);
  fail(errors);
  return out;
}

export function listReviews(query: ListQuery): Page<Review> {
  const items = [...reviews.values()].filter(
    (x) =>
      matches(query, x.title, x.body, x.author) &&
      filterBy(query, "productId", x.productId) &&
      filterBy(query, "status", x.status) &&
      filterBy(query, "rating", x.rating),
  );
  return page(items, query);
}

export function getReview(id: string): Review {
  return found(reviews, "review", id);
}

export function createReview(input: ReviewInput): Review {
  const at = now();
  const review: Review = {
    ...input,
    id: nextId("rev"),
    createdAt: at,
    updatedAt: at,
  };
  reviews.set(review.id, review);
  return review;
}

export function updateReview(id: string, patch: Partial<ReviewInput>): Review {
  const current = found(reviews, "review", id);
  const next: Review = { ...current, ...patch, id, updatedAt: now() };
  reviews.set(id, next);
  return next;
}

export function deleteReview(id: string): void {
  found(reviews, "review", id);
  reviews.delete(id);
}

// ShippingZones

export interface ShippingZone {
  id: string;
  name: string;
  countries: string[];
  currency: string;
  baseFee: number;
  perKgFee: number;
  freeAbove?: number;
  active: boolean;
  createdAt: string;
  updatedAt: string;
}

export type ShippingZoneInput = Omit<ShippingZone, "id" | "createdAt" | "updatedAt">;

export const shippingZones = new Map<string, ShippingZone>();

export function validateShippingZone(body: unknown, partial = false): Partial<ShippingZoneInput> {
  const src = asObject(body);
  const errors: FieldErrors = {};
  const out: Partial<ShippingZoneInput> = {};
  if (!partial || "name" in src) out.name = str(src, "name", errors, 120);
  if (!partial || "countries" in src) out.countries = list(src, "countries", errors);
  if (!partial || "currency" in src) out.currency = currency(src, "currency", errors);
  if (!partial || "baseFee" in src) out.baseFee = money(src, "baseFee", errors);
  if (!partial || "perKgFee" in src) out.perKgFee = money(src, "perKgFee", errors);
  if ("freeAbove" in src) out.freeAbove = optMoney(src, "freeAbove", errors);
  if (!partial || "active" in src) out.active = bool(src, "active", errors, true);
  for (const code of out.countries ?? []) {
    if (!COUNTRY.test(code)) {
      errors.countries = `not a country code: ${code}`;
    }
  }
  fail(errors);
  return out;
}

export function listShippingZones(query: ListQuery): Page<ShippingZone> {
  const items = [...shippingZones.values()].filter(
    (x) =>
      matches(query, x.name) &&
      filterBy(query, "currency", x.currency) &&
      filterBy(query, "active", x.active),
  );
  return page(items, query);
}

export function getShippingZone(id: string): ShippingZone {
  return found(shippingZones, "shipping zone", id);
}

export function createShippingZone(input: ShippingZoneInput): ShippingZone {
  const at = now();
  const shippingZone: ShippingZone = {
    ...input,
    id: nextId("shz"),
    createdAt: at,
    updatedAt: at,
  };
  shippingZones.set(shippingZone.id, shippingZone);
  return shippingZone;
}

export function updateShippingZone(id: string, patch: Partial<ShippingZoneInput>): ShippingZone {
  const current = found(shippingZones, "shipping zone", id);
  const next: ShippingZone = { ...current, ...patch, id, updatedAt: now() };
  shippingZones.set(id, next);
  return next;
}

export function deleteShippingZone(id: string): void {
  found(shippingZones, "shipping zone", id);
  shippingZones.delete(id);
}

// TaxRates

export interface TaxRate {
  id: string;
  country: string;
  taxClass: TaxClass;
  rate: number;
  label: string;
  createdAt: string;
  updatedAt: string;
}

export type TaxRateInput = Omit<TaxRate, "id" | "createdAt" | "updatedAt">;

export const taxRates = new Map<string, TaxRate>();

export function validateTaxRate(body: unknown, partial = false): Partial<TaxRateInput> {
  const src = asObject(body);
  const errors: FieldErrors = {};
  const out: Partial<TaxRateInput> = {};
  if (!partial || "country" in src) out.country = country(src, "country", errors);
  if (!partial || "taxClass" in src) out.taxClass = oneOf(src, "taxClass", TAX_CLASSES, errors);
  if (!partial || "rate" in src) out.rate = percent(src, "rate", errors);
  if (!partial || "label" in src) out.label = str(src, "label", errors, 40);
  fail(errors);
  return out;
}

export function listTaxRates(query: ListQuery): Page<TaxRate> {
  const items = [...taxRates.values()].filter(
    (x) =>
      matches(query, x.label, x.country) &&
      filterBy(query, "country", x.country) &&
      filterBy(query, "taxClass", x.taxClass),
  );
  return page(items, query);
}

export function getTaxRate(id: string): TaxRate {
  return found(taxRates, "tax rate", id);
}

export function createTaxRate(input: TaxRateInput): TaxRate {
  const at = now();
  const taxRate: TaxRate = {
    ...input,
    id: nextId("tax"),
    createdAt: at,
    updatedAt: at,
  };
  taxRates.set(taxRate.id, taxRate);
  return taxRate;
}

export function updateTaxRate(id: string, patch: Partial<TaxRateInput>): TaxRate {
  const current = found(taxRates, "tax rate", id);
  const next: TaxRate = { ...current, ...patch, id, updatedAt: now() };
  taxRates.set(id, next);
  return next;
}

export function deleteTaxRate(id: string): void {
  found(taxRates, "tax rate", id);
  taxRates.delete(id);
}

// GiftCards

export interface GiftCard {
  id: string;
  code: string;
  currency: string;
  initialAmount: number;
  recipientEmail?: string;
  expiresAt?: string;
  balance: number;
  createdAt: string;
  updatedAt: string;
}

export type GiftCardInput = Omit<GiftCard, "id" | "createdAt" | "updatedAt" | "balance">;

export const giftCards = new Map<string, GiftCard>();

export function validateGiftCard(body: unknown, partial = false): Partial<GiftCardInput> {
  const src = asObject(body);
  const errors: FieldErrors = {};
  const out: Partial<GiftCardInput> = {};
  if (!partial || "code" in src) out.code = str(src, "code", errors, 24);
  if (!partial || "currency" in src) out.currency = currency(src, "currency", errors);
  if (!partial || "initialAmount" in src) out.initialAmount = money(src, "initialAmount", errors);
  if ("recipientEmail" in src) out.recipientEmail = optEmail(src, "recipientEmail", errors);
  if ("expiresAt" in src) out.expiresAt = optDate(src, "expiresAt", errors);
  fail(errors);
  return out;
}

export function listGiftCards(query: ListQuery): Page<GiftCard> {
  const items = [...giftCards.values()].filter(
    (x) =>
      matches(query, x.code, x.recipientEmail) &&
      filterBy(query, "currency", x.currency),
  );
  return page(items, query);
}

export function getGiftCard(id: string): GiftCard {
  return found(giftCards, "gift card", id);
}

export function createGiftCard(input: GiftCardInput): GiftCard {
  const at = now();
  const giftCard: GiftCard = {
    ...input,
    id: nextId("gfc"),
    balance: input.initialAmount,
    createdAt: at,
    updatedAt: at,
  };
  giftCards.set(giftCard.id, giftCard);
  return giftCard;
}

export function updateGiftCard(id: string, patch: Partial<GiftCardInput>): GiftCard {
  const current = found(giftCards, "gift card", id);
  const next: GiftCard = { ...current, ...patch, id, updatedAt: now() };
  giftCards.set(id, next);
  return next;
}

export function deleteGiftCard(id: string): void {
  found(giftCards, "gift card", id);
  giftCards.delete(id);
}

// Pricing, discounts, shipping and tax

export interface PriceQuote {
  variantId: string;
  currency: string;
  unitPrice: number;
  compareAt?: number;
  discount: number;
  quantity: number;
  total: number;
}

function roundMoney(value: number): number {
  return Math.round(value * 100) / 100;
}

function isLive(startsAt: string | undefined, endsAt: string | undefined, at: string): boolean {
  return (startsAt === undefined || startsAt <= at) && (endsAt === undefined || at < endsAt);
}

export function quoteVariant(
  variantId: string,
  currencyCode: string,
  customerGroup: CustomerGroup,
  quantity: number,
  at: string = now(),
): PriceQuote {
  const variant = getVariant(variantId);
  const product = getProduct(variant.productId);
  const lists = [...priceLists.values()]
    .filter((l) => l.active && l.currency === currencyCode && l.customerGroup === customerGroup)
    .sort((a, b) => b.priority - a.priority);
  let entry: PriceEntry | undefined;
  for (const priceList of lists) {
    entry = [...priceEntries.values()]
      .filter((p) => p.priceListId === priceList.id && p.variantId === variantId)
      .filter((p) => p.minQuantity <= quantity)
      .sort((a, b) => b.minQuantity - a.minQuantity)[0];
    if (entry !== undefined) {
      break;
    }
  }
  if (entry === undefined) {
    throw new NotFoundError(`${currencyCode} price for variant`, variantId);
  }
  let best = 0;
  for (const promotion of promotions.values()) {
    if (!promotion.active || !isLive(promotion.startsAt, promotion.endsAt, at)) {
      continue;
    }
    if (promotion.categoryIds.length > 0 && !promotion.categoryIds.includes(product.categoryId)) {
      continue;
    }
    const off =
      promotion.kind === "percent" ? (entry.amount * promotion.value) / 100 : promotion.value;
    best = Math.max(best, Math.min(off, entry.amount));
  }
  const unitPrice = roundMoney(entry.amount - best);
  return {
    variantId,
    currency: currencyCode,
    unitPrice,
    compareAt: entry.compareAt,
    discount: roundMoney(best * quantity),
    quantity,
    total: roundMoney(unitPrice * quantity),
  };
}

export function redeemCoupon(code: string, cartTotal: number, at: string = now()): number {
  const coupon = [...coupons.values()].find((c) => c.code.toLowerCase() === code.toLowerCase());
  if (coupon === undefined) {
    throw new NotFoundError("coupon", code);
  }
  const promotion = getPromotion(coupon.promotionId);
  if (coupon.expiresAt !== undefined && coupon.expiresAt <= at) {
    throw new ValidationError({ code: "coupon expired" });
  }
  if (coupon.redemptions >= coupon.maxRedemptions) {
    throw new ValidationError({ code: "coupon fully redeemed" });
  }
  if (cartTotal < coupon.minCartTotal) {
    throw new ValidationError({ code: `spend at least ${coupon.minCartTotal} to use this coupon` });
  }
  if (!promotion.active || !isLive(promotion.startsAt, promotion.endsAt, at)) {
    throw new ValidationError({ code: "promotion not running" });
  }
  const discount =
    promotion.kind === "percent" ? (cartTotal * promotion.value) / 100 : promotion.value;
  coupons.set(coupon.id, { ...coupon, redemptions: coupon.redemptions + 1, updatedAt: now() });
  return roundMoney(Math.min(discount, cartTotal));
}

export function chargeGiftCard(id: string, amount: number, at: string = now()): GiftCard {
  const card = getGiftCard(id);
  if (card.expiresAt !== undefined && card.expiresAt <= at) {
    throw new ValidationError({ id: "gift card expired" });
  }
  if (amount <= 0 || amount > card.balance) {
    throw new ValidationError({ amount: `between 0 and ${card.balance}` });
  }
  const next = { ...card, balance: roundMoney(card.balance - amount), updatedAt: now() };
  giftCards.set(id, next);
  return next;
}

export function quoteShipping(countryCode: string, weightGrams: number, cartTotal: number) {
  const zone = [...shippingZones.values()].find(
    (z) => z.active && z.countries.includes(countryCode.toUpperCase()),
  );
  if (zone === undefined) {
    throw new NotFoundError("shipping zone for", countryCode);
  }
  if (zone.freeAbove !== undefined && cartTotal >= zone.freeAbove) {
    return { zoneId: zone.id, currency: zone.currency, fee: 0 };
  }
  const fee = zone.baseFee + Math.ceil(weightGrams / 1000) * zone.perKgFee;
  return { zoneId: zone.id, currency: zone.currency, fee: roundMoney(fee) };
}

export function taxFor(countryCode: string, taxClass: TaxClass): number {
  const rate = [...taxRates.values()].find(
    (r) => r.country === countryCode.toUpperCase() && r.taxClass === taxClass,
  );
  return rate === undefined ? 0 : rate.rate;
}

export function productRating(productId: string): { average: number; count: number } {
  const approved = [...reviews.values()].filter(
    (r) => r.productId === productId && r.status === "approved",
  );
  if (approved.length === 0) {
    return { average: 0, count: 0 };
  }
  const sum = approved.reduce((total, r) => total + r.rating, 0);
  return { average: Math.round((sum / approved.length) * 10) / 10, count: approved.length };
}

function queryNumber(value: unknown, key: string): number {
  const parsed = Number(value);
  if (typeof value !== "string" || !Number.isFinite(parsed)) {
    throw new ValidationError({ [key]: "expected a number" });
  }
  return parsed;
}

export function catalogRouter(): Router {
  const router = Router();

  router.get("/brands", (req, res) => {
    res.json(listBrands(parseListQuery(req.query)));
  });
  router.get("/brands/:id", (req, res) => {
    res.json(getBrand(req.params.id));
  });
  router.post("/brands", (req, res) => {
    res.status(201).json(createBrand(validateBrand(req.body) as BrandInput));
  });
  router.patch("/brands/:id", (req, res) => {
    res.json(updateBrand(req.params.id, validateBrand(req.body, true)));
  });
  router.delete("/brands/:id", (req, res) => {
    deleteBrand(req.params.id);
    res.status(204).end();
  });

  router.get("/categories", (req, res) => {
    res.json(listCategories(parseListQuery(req.query)));
  });
  router.get("/categories/:id", (req, res) => {
    res.json(getCategory(req.params.id));
  });
  router.post("/categories", (req, res) => {
    res.status(201).json(createCategory(validateCategory(req.body) as CategoryInput));
  });
  router.patch("/categories/:id", (req, res) => {
    res.json(updateCategory(req.params.id, validateCategory(req.body, true)));
  });
  router.delete("/categories/:id", (req, res) => {
    deleteCategory(req.params.id);
    res.status(204).end();
  });

  router.get("/products", (req, res) => {
    res.json(listProducts(parseListQuery(req.query)));
  });
  router.get("/products/:id", (req, res) => {
    res.json(getProduct(req.params.id));
  });
  router.post("/products", (req, res) => {
    res.status(201).json(createProduct(validateProduct(req.body) as ProductInput));
  });
  router.patch("/products/:id", (req, res) => {
    res.json(updateProduct(req.params.id, validateProduct(req.body, true)));
  });
  router.delete("/products/:id", (req, res) => {
    deleteProduct(req.params.id);
    res.status(204).end();
  });

  router.get("/variants", (req, res) => {
    res.json(listVariants(parseListQuery(req.query)));
  });
  router.get("/variants/:id", (req, res) => {
    res.json(getVariant(req.params.id));
  });
  router.post("/variants", (req, res) => {
    res.status(201).json(createVariant(validateVariant(req.body) as VariantInput));
  });
  router.patch("/variants/:id", (req, res) => {
    res.json(updateVariant(req.params.id, validateVariant(req.body, true)));
  });
  router.delete("/variants/:id", (req, res) => {
    deleteVariant(req.params.id);
    res.status(204).end();
  });

  router.get("/price-lists", (req, res) => {
    res.json(listPriceLists(parseListQuery(req.query)));
  });
  router.get("/price-lists/:id", (req, res) => {
    res.json(getPriceList(req.params.id));
  });
  router.post("/price-lists", (req, res) => {
    res.status(201).json(createPriceList(validatePriceList(req.body) as PriceListInput));
  });
  router.patch("/price-lists/:id", (req, res) => {
    res.json(updatePriceList(req.params.id, validatePriceList(req.body, true)));
  });
  router.delete("/price-lists/:id", (req, res) => {
    deletePriceList(req.params.id);
    res.status(204).end();
  });

  router.get("/price-entries", (req, res) => {
    res.json(listPriceEntries(parseListQuery(req.query)));
  });
  router.get("/price-entries/:id", (req, res) => {
    res.json(getPriceEntry(req.params.id));
  });
  router.post("/price-entries", (req, res) => {
    res.status(201).json(createPriceEntry(validatePriceEntry(req.body) as PriceEntryInput));
  });
  router.patch("/price-entries/:id", (req, res) => {
    res.json(updatePriceEntry(req.params.id, validatePriceEntry(req.body, true)));
  });
  router.delete("/price-entries/:id", (req, res) => {
    deletePriceEntry(req.params.id);
    res.status(204).end();
  });

  router.get("/promotions", (req, res) => {
    res.json(listPromotions(parseListQuery(req.query)));
  });
  router.get("/promotions/:id", (req, res) => {
    res.json(getPromotion(req.params.id));
  });
  router.post("/promotions", (req, res) => {
    res.status(201).json(createPromotion(validatePromotion(req.body) as PromotionInput));
  });
  router.patch("/promotions/:id", (req, res) => {
    res.json(updatePromotion(req.params.id, validatePromotion(req.body, true)));
  });
  router.delete("/promotions/:id", (req, res) => {
    deletePromotion(req.params.id);
    res.status(204).end();
  });

  router.get("/coupons", (req, res) => {
    res.json(listCoupons(parseListQuery(req.query)));
  });
  router.get("/coupons/:id", (req, res) => {
    res.json(getCoupon(req.params.id));
  });
  router.post("/coupons", (req, res) => {
    res.status(201).json(createCoupon(validateCoupon(req.body) as CouponInput));
  });
  router.patch("/coupons/:id", (req, res) => {
    res.json(updateCoupon(req.params.id, validateCoupon(req.body, true)));
  });
  router.delete("/coupons/:id", (req, res) => {
    deleteCoupon(req.params.id);
    res.status(204).end();
  });

  router.get("/reviews", (req, res) => {
    res.json(listReviews(parseListQuery(req.query)));
  });
  router.get("/reviews/:id", (req, res) => {
    res.json(getReview(req.params.id));
  });
  router.post("/reviews", (req, res) => {
    res.status(201).json(createReview(validateReview(req.body) as ReviewInput));
  });
  router.patch("/reviews/:id", (req, res) => {
    res.json(updateReview(req.params.id, validateReview(req.body, true)));
  });
  router.delete("/reviews/:id", (req, res) => {
    deleteReview(req.params.id);
    res.status(204).end();
  });

  router.get("/shipping-zones", (req, res) => {
    res.json(listShippingZones(parseListQuery(req.query)));
  });
  router.get("/shipping-zones/:id", (req, res) => {
    res.json(getShippingZone(req.params.id));
  });
  router.post("/shipping-zones", (req, res) => {
    res.status(201).json(createShippingZone(validateShippingZone(req.body) as ShippingZoneInput));
  });
  router.patch("/shipping-zones/:id", (req, res) => {
    res.json(updateShippingZone(req.params.id, validateShippingZone(req.body, true)));
  });
  router.delete("/shipping-zones/:id", (req, res) => {
    deleteShippingZone(req.params.id);
    res.status(204).end();
  });

  router.get("/tax-rates", (req, res) => {
    res.json(listTaxRates(parseListQuery(req.query)));
  });
  router.get("/tax-rates/:id", (req, res) => {
    res.json(getTaxRate(req.params.id));
  });
  router.post("/tax-rates", (req, res) => {
    res.status(201).json(createTaxRate(validateTaxRate(req.body) as TaxRateInput));
  });
  router.patch("/tax-rates/:id", (req, res) => {
    res.json(updateTaxRate(req.params.id, validateTaxRate(req.body, true)));
  });
  router.delete("/tax-rates/:id", (req, res) => {
    deleteTaxRate(req.params.id);
    res.status(204).end();
  });

  router.get("/gift-cards", (req, res) => {
    res.json(listGiftCards(parseListQuery(req.query)));
  });
  router.get("/gift-cards/:id", (req, res) => {
    res.json(getGiftCard(req.params.id));
  });
  router.post("/gift-cards", (req, res) => {
    res.status(201).json(createGiftCard(validateGiftCard(req.body) as GiftCardInput));
  });
  router.patch("/gift-cards/:id", (req, res) => {
    res.json(updateGiftCard(req.params.id, validateGiftCard(req.body, true)));
  });
  router.delete("/gift-cards/:id", (req, res) => {
    deleteGiftCard(req.params.id);
    res.status(204).end();
  });

  router.get("/variants/:id/price", (req, res) => {
    const group = oneOf(req.query as Source, "group", CUSTOMER_GROUPS, {});
    const quantity =
      req.query.quantity === undefined ? 1 : queryNumber(req.query.quantity, "quantity");
    res.json(quoteVariant(req.params.id, String(req.query.currency ?? "EUR"), group, quantity));
  });
  router.post("/coupons/redeem", (req, res) => {
    const src = asObject(req.body);
    const errors: FieldErrors = {};
    const code = str(src, "code", errors, 32);
    const cartTotal = money(src, "cartTotal", errors);
    fail(errors);
    res.json({ code, discount: redeemCoupon(code, cartTotal) });
  });
  router.post("/gift-cards/:id/charge", (req, res) => {
    const errors: FieldErrors = {};
    const amount = money(asObject(req.body), "amount", errors);
    fail(errors);
    res.json(chargeGiftCard(req.params.id, amount));
  });
  router.get("/shipping/quote", (req, res) => {
    const weight = queryNumber(req.query.weightGrams, "weightGrams");
    const cartTotal = queryNumber(req.query.cartTotal, "cartTotal");
    res.json(quoteShipping(String(req.query.country ?? ""), weight, cartTotal));
  });
  router.get("/tax/:country/:taxClass", (req, res) => {
    const taxClass = oneOf(req.params as Source, "taxClass", TAX_CLASSES, {});
    res.json({ country: req.params.country, taxClass, rate: taxFor(req.params.country, taxClass) });
  });
  router.get("/products/:id/rating", (req, res) => {
    getProduct(req.params.id);
    res.json(productRating(req.params.id));
  });
  return router;
}
