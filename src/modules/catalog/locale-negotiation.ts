/** A BCP 47-ish language tag as storefronts send it: `fr`, `fr-FR`, `zh-Hant-TW`, any letter case. */
export const LOCALE_TAG = /^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/;

/**
 * The canonical spelling translations are stored under: language lower-case, a 2-letter region
 * upper-case, a 4-letter script title-case (`FR-fr` → `fr-FR`, `zh-hant-tw` → `zh-Hant-TW`).
 */
export function normalizeLocale(tag: string): string {
  const [language, ...rest] = tag.trim().split('-');
  const subtags = rest.map((part) => {
    if (/^[A-Za-z]{2}$/.test(part)) return part.toUpperCase();
    if (/^[A-Za-z]{4}$/.test(part)) return part[0].toUpperCase() + part.slice(1).toLowerCase();
    return part.toLowerCase();
  });
  return [language.toLowerCase(), ...subtags].join('-');
}

/**
 * The language a storefront asks for: `?locale=` wins, else the first tag of Accept-Language
 * (browsers put the preferred one first, so q-values are not weighed). A malformed or wildcard
 * header is ignored rather than refused: browsers send it, not the storefront's code.
 */
export function requestedLocale(queryLocale: string | undefined, acceptLanguage: string | undefined): string | undefined {
  if (queryLocale) return normalizeLocale(queryLocale);
  const first = acceptLanguage?.split(',')[0]?.split(';')[0]?.trim();
  return first && LOCALE_TAG.test(first) ? normalizeLocale(first) : undefined;
}

/**
 * The translation languages to try, most specific first, before falling back to the product's own
 * text (written in the store's default language): `fr-FR` → [`fr-FR`, `fr`]. Stops at the default
 * language, whose text is the product itself.
 */
export function translationFallbacks(requested: string | undefined, storeDefault: string): string[] {
  if (!requested) return [];
  const chain: string[] = [];
  const subtags = requested.split('-');
  for (let n = subtags.length; n >= 1; n--) {
    const candidate = subtags.slice(0, n).join('-');
    if (candidate.toLowerCase() === storeDefault.toLowerCase()) break;
    chain.push(candidate);
  }
  return chain;
}
