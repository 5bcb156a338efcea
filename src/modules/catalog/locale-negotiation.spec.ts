import { normalizeLocale, requestedLocale, translationFallbacks } from './locale-negotiation';

describe('locale negotiation', () => {
  it.each([
    ['fr', 'fr'],
    ['FR-fr', 'fr-FR'],
    ['zh-hant-tw', 'zh-Hant-TW'],
    ['es-419', 'es-419'],
  ])('normalizes %s to %s', (tag, expected) => {
    expect(normalizeLocale(tag)).toBe(expected);
  });

  it('prefers ?locale= over Accept-Language, and takes the first Accept-Language tag', () => {
    expect(requestedLocale('de', 'fr-FR,fr;q=0.9')).toBe('de');
    expect(requestedLocale(undefined, 'fr-FR;q=0.8, en;q=0.9')).toBe('fr-FR');
    expect(requestedLocale(undefined, ' ja-jp ')).toBe('ja-JP');
  });

  it('ignores a missing, wildcard or malformed Accept-Language', () => {
    expect(requestedLocale(undefined, undefined)).toBeUndefined();
    expect(requestedLocale(undefined, '*')).toBeUndefined();
    expect(requestedLocale(undefined, 'not a tag')).toBeUndefined();
  });

  it('falls back from the region to the language, and stops at the store default', () => {
    expect(translationFallbacks('fr-FR', 'en')).toEqual(['fr-FR', 'fr']);
    expect(translationFallbacks('zh-Hant-TW', 'en')).toEqual(['zh-Hant-TW', 'zh-Hant', 'zh']);
    expect(translationFallbacks('en-US', 'en')).toEqual(['en-US']);
    expect(translationFallbacks('en', 'en')).toEqual([]);
    expect(translationFallbacks('en-US', 'en-US')).toEqual([]);
    expect(translationFallbacks(undefined, 'en')).toEqual([]);
  });
});
