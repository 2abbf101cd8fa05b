/**
 * A bounded cache of compiled policies keyed by kind and exact text, so a
 * document is parsed and compiled once, however many principals carry it.
 * Least recently used entries are evicted past `capacity`.
 */
import { parsePolicy, type CompiledPolicy, type ParseOptions } from './parse.js';

export class PolicyCache {
  private readonly entries = new Map<string, CompiledPolicy>();
  constructor(private readonly capacity = 10_000) {}

  /** The compiled policy for `text`; throws MalformedPolicyDocument like parsePolicy. */
  get(text: string, options: ParseOptions): CompiledPolicy {
    const key = `${options.kind}\u0000${options.maxSize ?? ''}\u0000${text}`;
    const hit = this.entries.get(key);
    if (hit !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit;
    }
    const compiled = parsePolicy(text, options);
    this.entries.set(key, compiled);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
    return compiled;
  }

  get size(): number {
    return this.entries.size;
  }
}
