import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { configSchema } from '../../src/config/index.js';

interface Def {
  type: string;
  innerType?: { _zod: { def: Def } };
  in?: { _zod: { def: Def } };
  element?: { _zod: { def: Def } };
  shape?: Record<string, { _zod: { def: Def } }>;
}

/** Every key name declared in the schema, found by walking zod's definitions. */
function schemaKeys(def: Def, out = new Set<string>()): Set<string> {
  const next = def.innerType ?? def.in ?? def.element;
  if (next) schemaKeys(next._zod.def, out);
  for (const [key, child] of Object.entries(def.shape ?? {})) {
    out.add(key);
    schemaKeys(child._zod.def, out);
  }
  return out;
}

describe('config/gatehouse.example.yaml', () => {
  it('mentions every key the schema declares (as a key or a commented-out key)', () => {
    const text = readFileSync(new URL('../../config/gatehouse.example.yaml', import.meta.url), 'utf8');
    const keys = schemaKeys((configSchema as unknown as { _zod: { def: Def } })._zod.def);
    assert.ok(keys.size > 25, `walked the schema (${keys.size} keys)`);
    const missing = [...keys].filter((k) => !new RegExp(`^\\s*(#\\s*)?(- )?${k}:`, 'm').test(text) && !new RegExp(`^#\\s+${k}\\s`, 'm').test(text));
    assert.deepEqual(missing, []);
  });
});
