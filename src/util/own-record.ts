/**
 * Records keyed by names that come from outside (tool names, operation types from spans): a key
 * such as `__proto__` or `constructor` must be an entry like any other, never the prototype's.
 */

/** Sets `record[key]` as an own, enumerable entry, even for `__proto__`. */
export function setEntry<V>(record: Record<string, V>, key: string, value: V): void {
  Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
}

/** `record[key]` if it is the record's own entry; undefined for `constructor`, `toString`, ... */
export function ownEntry<V>(record: Readonly<Record<string, V>> | undefined, key: string): V | undefined {
  return record !== undefined && Object.hasOwn(record, key) ? record[key] : undefined;
}
