/**
 * A URL-safe slug: accents folded ("Café" → "cafe"), lower-case letters, digits and inner dashes,
 * at most 60 characters; `fallback` when nothing is left (a name of only symbols).
 */
export function slugify(text: string, fallback: string): string {
  const slug = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/g, '');
  return slug || fallback;
}
