/**
 * A Map that forgets its oldest entry once it holds `limit`: for caches whose keys come from a
 * caller's input (a region named in SQL), which must not grow without bound.
 */
export class BoundedMap<K, V> extends Map<K, V> {
  constructor(private readonly limit: number) {
    super();
  }

  override set(key: K, value: V): this {
    if (!this.has(key) && this.size >= this.limit) this.delete(this.keys().next().value as K);
    return super.set(key, value);
  }
}
