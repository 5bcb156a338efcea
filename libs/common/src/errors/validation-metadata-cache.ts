import { getMetadataStorage } from 'class-validator';

type Storage = ReturnType<typeof getMetadataStorage>;
type Lookup = Storage['getTargetValidationMetadatas'];
type Rules = ReturnType<Lookup>;

const INSTALLED = Symbol.for('commerce.validationMetadataCache');

/**
 * class-validator finds a class's rules, on every validate() of every object, by scanning all
 * the decorated classes of the app for its ancestors (typestack/class-validator#2686). For a
 * checkout body (the body, its lines and its address) that scan was the API's largest source of
 * garbage (bench/RESULTS.md). A class's rules are complete once it is defined (its decorators
 * ran, its parents were defined before it), so the answer is remembered per class and arguments,
 * and everything remembered is forgotten whenever a rule is registered, which happens only while
 * modules load. Callers get the same array each time; class-validator and Nest only read it.
 */
export function cacheValidationMetadata(storage: Storage = getMetadataStorage()): void {
  const marked = storage as Storage & { [INSTALLED]?: true };
  if (marked[INSTALLED]) return;
  marked[INSTALLED] = true;

  const lookup: Lookup = storage.getTargetValidationMetadatas.bind(storage);
  const register = storage.addValidationMetadata.bind(storage);
  let remembered = new WeakMap<object, Map<string, Rules>>();

  storage.addValidationMetadata = (metadata) => {
    remembered = new WeakMap();
    register(metadata);
  };
  storage.getTargetValidationMetadatas = (target, schema, always, strictGroups, groups) => {
    // Schema names (strings) are not cached: nothing here validates by schema.
    if (typeof target !== 'function') return lookup(target, schema, always, strictGroups, groups);
    const key = `${schema ?? ''}\u0000${always}\u0000${strictGroups}\u0000${groups?.join('\u0001') ?? ''}`;
    let byArguments = remembered.get(target);
    if (!byArguments) remembered.set(target, (byArguments = new Map()));
    let rules = byArguments.get(key);
    if (!rules) byArguments.set(key, (rules = lookup(target, schema, always, strictGroups, groups)));
    return rules;
  };
}
