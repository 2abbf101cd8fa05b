/**
 * Decoding query-protocol parameters into an operation's input, validated
 * against AWS's model with AWS's wording:
 *   "1 validation error detected: Value 'x' at 'userName' failed to satisfy
 *    constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+"
 *
 * - Lists arrive as `Name.member.N[.Field]`, maps as `Name.entry.N.key|value`,
 *   structures as `Name.Field`; an empty list may arrive as `Name=`.
 * - Only members of the model are read, so extra parameters can never assign
 *   fields a caller should not set.
 * - Required members, lengths, patterns, enums and integer ranges are checked;
 *   every violation is reported, in model order.
 */
import { ValidationError } from '../../shared/errors.js';
import type { ServiceModel, Shape } from '../../api/model.js';

export type Params = ReadonlyMap<string, string>;
export type Decoded = Record<string, unknown>;

interface Walk {
  model: ServiceModel;
  params: Params;
  /** Every proper dotted prefix of a parameter name (`A.member.1` for `A.member.1.x`). */
  prefixes: ReadonlySet<string>;
  errors: string[];
}

/** Decodes and validates `params` for an input shape; throws ValidationError listing every violation. */
export function decodeInput(model: ServiceModel, inputShape: string | null, params: Params): Decoded {
  if (inputShape === null) return {};
  const walk: Walk = { model, params, prefixes: dottedPrefixes(params.keys()), errors: [] };
  const out = decodeStructure(walk, model.shapes[inputShape]!, '', '');
  if (walk.errors.length > 0) {
    const n = walk.errors.length;
    throw new ValidationError(`${n} validation error${n === 1 ? '' : 's'} detected: ${walk.errors.join('; ')}`);
  }
  return out;
}

function decodeStructure(w: Walk, shape: Shape, prefix: string, path: string): Decoded {
  const out: Decoded = {};
  for (const [name, ref] of Object.entries(shape.members ?? {})) {
    const key = prefix === '' ? name : `${prefix}.${name}`;
    const memberPath = path === '' ? lowerFirst(name) : `${path}.${lowerFirst(name)}`;
    const value = decodeValue(w, ref.shape, key, memberPath);
    if (value === undefined) {
      if (shape.required?.includes(name)) w.errors.push(`Value null at '${memberPath}' failed to satisfy constraint: Member must not be null`);
      continue;
    }
    out[name] = value;
  }
  return out;
}

function decodeValue(w: Walk, shapeName: string, key: string, path: string): unknown {
  const shape = w.model.shapes[shapeName]!;
  switch (shape.type) {
    case 'structure':
      return present(w, key) ? decodeStructure(w, shape, key, path) : undefined;
    case 'list':
      return decodeList(w, shape, key, path);
    case 'map':
      return decodeMap(w, shape, key, path);
    default: {
      const raw = w.params.get(key);
      return raw === undefined ? undefined : decodeScalar(w, shapeName, shape, raw, path);
    }
  }
}

function decodeList(w: Walk, shape: Shape, key: string, path: string): unknown[] | undefined {
  const items: unknown[] = [];
  for (let i = 1; present(w, `${key}.member.${i}`); i++) {
    items.push(decodeValue(w, shape.member!.shape, `${key}.member.${i}`, `${path}.${i}.member`));
  }
  if (items.length === 0 && w.params.get(key) !== '') return undefined;
  checkLength(w, shape, items.length, `[${items.length} items]`, path);
  return items;
}

function decodeMap(w: Walk, shape: Shape, key: string, path: string): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = Object.create(null);
  let n = 0;
  for (let i = 1; present(w, `${key}.entry.${i}`); i++, n++) {
    const k = w.params.get(`${key}.entry.${i}.key`);
    if (k === undefined) continue;
    out[k] = decodeValue(w, shape.value!.shape, `${key}.entry.${i}.value`, `${path}.${i}.value`);
  }
  return n === 0 ? undefined : out;
}

function decodeScalar(w: Walk, shapeName: string, shape: Shape, raw: string, path: string): unknown {
  const shown = `Value '${raw.length > 256 ? `${raw.slice(0, 256)}…` : raw}' at '${path}'`;
  switch (shape.type) {
    case 'integer':
    case 'long': {
      if (!/^-?\d{1,15}$/.test(raw)) {
        w.errors.push(`${shown} failed to satisfy constraint: Member must be a number`);
        return raw;
      }
      const n = Number(raw);
      if (shape.min !== undefined && n < shape.min) w.errors.push(`${shown} failed to satisfy constraint: Member must have value greater than or equal to ${shape.min}`);
      if (shape.max !== undefined && n > shape.max) w.errors.push(`${shown} failed to satisfy constraint: Member must have value less than or equal to ${shape.max}`);
      return n;
    }
    case 'boolean': {
      const b = raw.toLowerCase();
      if (b !== 'true' && b !== 'false') w.errors.push(`${shown} failed to satisfy constraint: Member must be true or false`);
      return b === 'true';
    }
    case 'blob':
      return Buffer.from(raw, 'base64');
    default: {
      checkLength(w, shape, [...raw].length, raw, path);
      const re = w.model.patterns.get(shapeName);
      if (re !== undefined && !re.test(raw)) w.errors.push(`${shown} failed to satisfy constraint: Member must satisfy regular expression pattern: ${shape.pattern}`);
      if (shape.enum !== undefined && !shape.enum.includes(raw)) w.errors.push(`${shown} failed to satisfy constraint: Member must satisfy enum value set: [${shape.enum.join(', ')}]`);
      return raw;
    }
  }
}

function checkLength(w: Walk, shape: Shape, length: number, shownValue: string, path: string): void {
  const shown = shownValue.startsWith('[') ? `Value '${shownValue}' at '${path}'` : `Value '${shownValue.length > 256 ? `${shownValue.slice(0, 256)}…` : shownValue}' at '${path}'`;
  if (shape.min !== undefined && length < shape.min) w.errors.push(`${shown} failed to satisfy constraint: Member must have length greater than or equal to ${shape.min}`);
  if (shape.max !== undefined && length > shape.max) w.errors.push(`${shown} failed to satisfy constraint: Member must have length less than or equal to ${shape.max}`);
}

/** Whether `key` or anything under `key.` was sent. */
/** Whether `key` or anything below it was sent: one lookup each (the decoder asks for every list entry). */
function present(w: Walk, key: string): boolean {
  return w.params.has(key) || w.prefixes.has(key);
}

function dottedPrefixes(keys: Iterable<string>): Set<string> {
  const out = new Set<string>();
  for (const k of keys) {
    for (let i = k.indexOf('.'); i !== -1; i = k.indexOf('.', i + 1)) out.add(k.slice(0, i));
  }
  return out;
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}
