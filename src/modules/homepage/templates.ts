import { SectionSettings, SectionTranslation, SectionType } from './section-settings';

export const TEMPLATE_KEYS = ['minimal', 'standard'] as const;
export type TemplateKey = (typeof TEMPLATE_KEYS)[number];
export const DEFAULT_TEMPLATE: TemplateKey = 'standard';

export interface TemplateSection {
  type: SectionType;
  settings: SectionSettings;
  translations: Record<string, SectionTranslation>;
}

export interface HomepageTemplate {
  key: TemplateKey;
  name: string;
  description: string;
  sections: TemplateSection[];
}

/**
 * The starting pages, in code. They name no collection, product or media (a new store has none):
 * the merchant fills them in, and until then the public page leaves out what resolves to nothing.
 * A section's settings here are already in their normalized form.
 */
export const TEMPLATES: Record<TemplateKey, HomepageTemplate> = {
  minimal: {
    key: 'minimal',
    name: 'Minimal',
    description: 'A hero banner and the newest products',
    sections: [
      { type: 'banner', settings: { images: [], image_fit: 'cover' }, translations: { en: { title: 'Welcome', description: null } } },
      { type: 'collection_products', settings: { collection_slug: null, limit: 8 }, translations: { en: { title: 'New arrivals', description: null } } },
    ],
  },
  standard: {
    key: 'standard',
    name: 'Standard',
    description: 'A hero banner, featured collections, a product grid and a featured item',
    sections: [
      { type: 'banner', settings: { images: [], image_fit: 'cover' }, translations: { en: { title: 'Welcome', description: null } } },
      { type: 'collections', settings: { collection_slugs: [] }, translations: { en: { title: 'Shop by collection', description: null } } },
      { type: 'collection_products', settings: { collection_slug: null, limit: 8 }, translations: { en: { title: 'New arrivals', description: null } } },
      {
        type: 'featured',
        settings: { target_type: 'collection', target_handle: null, cta_text: 'Shop now', url: null },
        translations: { en: { title: 'Featured', description: null } },
      },
    ],
  },
};
