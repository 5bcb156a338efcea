import { Inject, Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { APP_CONFIG, AppConfig } from '@app/common';

/** A storefront answer as sent: its ETag and its JSON body. */
export interface CachedAnswer {
  etag: string;
  json: string;
}

/**
 * Serialized public catalog answers, in this process's memory, least recently used out first.
 * Callers key them by everything the answer depends on, the store's catalog version included;
 * every catalog edit and every stock change bumps that version after its commit, so an entry is
 * never served after its data changed: the next request computes a new key. A hit skips the SQL,
 * the view assembly and the serialization. The TTL only bounds the life of an entry whose version
 * bump was lost (Redis down at that moment), as the public max-age already does for CDNs.
 */
@Injectable()
export class StorefrontAnswerCache {
  private readonly entries: LRUCache<string, CachedAnswer> | null;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    const maxSize = config.storefront.cacheMb * 1024 * 1024;
    this.entries = maxSize > 0 ? new LRUCache({ maxSize, sizeCalculation: (answer, key) => 2 * (answer.json.length + key.length) + 200, ttl: 60_000 }) : null;
  }

  get(key: string | null): CachedAnswer | undefined {
    return key === null ? undefined : this.entries?.get(key);
  }

  set(key: string | null, answer: CachedAnswer): void {
    if (key !== null) this.entries?.set(key, answer);
  }
}
