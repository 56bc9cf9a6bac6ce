/** The request context as policies read it: "Key names are case-insensitive" (IAM policy reference). */
import type { ContextValue } from './types.js';

export class RequestContext {
  private readonly entries = new Map<string, string | string[]>();

  constructor(context: Record<string, ContextValue>) {
    for (const [key, value] of Object.entries(context)) {
      if (value === undefined) continue;
      this.entries.set(key.toLowerCase(), Array.isArray(value) ? value.map(String) : String(value));
    }
  }

  /** The key's values; an absent key and an empty list both give none. */
  values(key: string): string[] {
    const value = this.entries.get(key.toLowerCase());
    return value === undefined ? [] : typeof value === 'string' ? [value] : value;
  }

  /** A key's value for a policy variable: multivalued keys cannot be substituted, so they give none. */
  readonly variable = (key: string): string | undefined => {
    const value = this.entries.get(key.toLowerCase());
    return typeof value === 'string' ? value : undefined;
  };
}
