import { Column, Entity, Index } from 'typeorm';
import { BaseEntity } from '@app/common';

/**
 * A store's homepage: one per merchant, created on first read with the `standard` template. Saved is
 * published (deployed clients have no publish call). `version` grows by one on every change and is
 * never reset (a reset keeps the row), so it can key caches and guard concurrent edits.
 */
@Entity('homepage_configs')
@Index('uq_homepage_configs_merchant', ['merchantId'], { unique: true })
export class HomepageConfig extends BaseEntity {
  @Column({ type: 'uuid' })
  merchantId: string;

  @Column({ type: 'int', default: 1 })
  version: number;

  /** The template the sections were last (re)set from: `minimal` or `standard`. */
  @Column({ type: 'varchar', length: 32, default: 'standard' })
  templateKey: string;

  /** Background and overlay of the page (`PageSettings`, validated by the service). */
  @Column({ type: 'jsonb', default: () => "'{}'" })
  pageSettings: Record<string, unknown>;
}

/**
 * One block of a homepage, in `position` order (1-based, contiguous). `settings` holds the
 * type's settings exactly as validated (section-settings.ts); `translations` the per-language
 * title and description, `{ "fr": { "title": "…", "description": "…" } }`: always read and written
 * with the section and never queried by language, so a jsonb column rather than a table.
 */
@Entity('homepage_sections')
@Index('idx_homepage_sections_config_position', ['configId', 'position'])
@Index('idx_homepage_sections_merchant', ['merchantId'])
export class HomepageSection extends BaseEntity {
  @Column({ type: 'uuid' })
  merchantId: string;

  @Column({ type: 'uuid' })
  configId: string;

  @Column({ type: 'int' })
  position: number;

  @Column({ type: 'varchar', length: 32 })
  type: string;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  settings: Record<string, unknown>;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  translations: Record<string, { title: string; description: string | null }>;
}
