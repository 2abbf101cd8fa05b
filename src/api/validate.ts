/**
 * Validating a typed operation input against AWS's model, with AWS's wording:
 *   "1 validation error detected: Value 'x' at 'userName' failed to satisfy
 *    constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+"
 *
 * - The input handlers see is rebuilt from the model's members only, so a caller can never
 *   set a field the model does not have.
 * - Required members, lengths, patterns, enums, integer ranges and the value's kind (number,
 *   boolean, string, list) are checked; every violation is reported, in model order.
 * - The query protocol's decoder (src/http/query/decode.ts) applies the same rules while it
 *   reads the wire; this is the same check for callers that already hold typed values
 *   (the portal and the console).
 */
import { ValidationError } from '../shared/errors.js';
import type { ServiceModel, Shape } from './model.js';

export type Input = Record<string, unknown>;

interface Walk {
  model: ServiceModel;
  errors: string[];
}

/** The validated input of an operation (only the model's members); throws ValidationError listing every violation. */
export function validateInput(model: ServiceModel, inputShape: string | null, input: Readonly<Input>): Input {
  if (inputShape === null) return {};
  const walk: Walk = { model, errors: [] };
  const out = checkStructure(walk, model.shapes[inputShape]!, input, '');
  if (walk.errors.length > 0) {
    const n = walk.errors.length;
    throw new ValidationError(`${n} validation error${n === 1 ? '' : 's'} detected: ${walk.errors.join('; ')}`);
  }
  return out;
}

function checkStructure(w: Walk, shape: Shape, value: Readonly<Input>, path: string): Input {
  const out: Input = {};
  for (const [name, ref] of Object.entries(shape.members ?? {})) {
    const memberPath = path === '' ? lowerFirst(name) : `${path}.${lowerFirst(name)}`;
    const member = Object.hasOwn(value, name) ? value[name] : undefined;
    if (member === undefined) {
      if (shape.required?.includes(name)) w.errors.push(`Value null at '${memberPath}' failed to satisfy constraint: Member must not be null`);
      continue;
    }
    out[name] = checkValue(w, ref.shape, member, memberPath);
  }
  return out;
}

function checkValue(w: Walk, shapeName: string, value: unknown, path: string): unknown {
  const shape = w.model.shapes[shapeName]!;
  switch (shape.type) {
    case 'structure':
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return kind(w, value, path, 'a structure');
      return checkStructure(w, shape, value as Input, path);
    case 'list': {
      if (!Array.isArray(value)) return kind(w, value, path, 'a list');
      const items = value.map((item, i) => checkValue(w, shape.member!.shape, item, `${path}.${i + 1}.member`));
      checkLength(w, shape, items.length, `Value '[${items.length} items]' at '${path}'`);
      return items;
    }
    case 'map': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return kind(w, value, path, 'a map');
      const out: Record<string, unknown> = Object.create(null);
      Object.entries(value).forEach(([k, v], i) => (out[k] = checkValue(w, shape.value!.shape, v, `${path}.${i + 1}.value`)));
      return out;
    }
    case 'integer':
    case 'long': {
      if (typeof value !== 'number' || !Number.isSafeInteger(value)) return kind(w, value, path, 'a number');
      const shown = `Value '${value}' at '${path}'`;
      if (shape.min !== undefined && value < shape.min) w.errors.push(`${shown} failed to satisfy constraint: Member must have value greater than or equal to ${shape.min}`);
      if (shape.max !== undefined && value > shape.max) w.errors.push(`${shown} failed to satisfy constraint: Member must have value less than or equal to ${shape.max}`);
      return value;
    }
    case 'boolean':
      return typeof value === 'boolean' ? value : kind(w, value, path, 'true or false');
    case 'blob':
    case 'timestamp':
    case 'double':
      return value;
    default: {
      if (typeof value !== 'string') return kind(w, value, path, 'a string');
      const shown = `Value '${value.length > 256 ? `${value.slice(0, 256)}…` : value}' at '${path}'`;
      checkLength(w, shape, [...value].length, shown);
      const re = w.model.patterns.get(shapeName);
      if (re !== undefined && !re.test(value)) w.errors.push(`${shown} failed to satisfy constraint: Member must satisfy regular expression pattern: ${shape.pattern}`);
      if (shape.enum !== undefined && !shape.enum.includes(value)) w.errors.push(`${shown} failed to satisfy constraint: Member must satisfy enum value set: [${shape.enum.join(', ')}]`);
      return value;
    }
  }
}

/** A value of the wrong kind (only possible for untyped callers). */
function kind(w: Walk, value: unknown, path: string, expected: string): unknown {
  const shown = typeof value === 'string' ? value.slice(0, 256) : JSON.stringify(value)?.slice(0, 256);
  w.errors.push(`Value '${shown}' at '${path}' failed to satisfy constraint: Member must be ${expected}`);
  return value;
}

function checkLength(w: Walk, shape: Shape, length: number, shown: string): void {
  if (shape.min !== undefined && length < shape.min) w.errors.push(`${shown} failed to satisfy constraint: Member must have length greater than or equal to ${shape.min}`);
  if (shape.max !== undefined && length > shape.max) w.errors.push(`${shown} failed to satisfy constraint: Member must have length less than or equal to ${shape.max}`);
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}
