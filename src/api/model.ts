/**
 * The AWS service models (trimmed from botocore by scripts/gen-aws-model.mjs; their
 * TypeScript types are in types/)
 * that drive request decoding, validation and response encoding, so shapes,
 * constraints and element names are AWS's own.
 */
import iamModel from './model/iam.json' with { type: 'json' };
import stsModel from './model/sts.json' with { type: 'json' };

export interface MemberRef {
  shape: string;
  locationName?: string;
}

export interface Shape {
  type: 'structure' | 'list' | 'map' | 'string' | 'integer' | 'boolean' | 'timestamp' | 'blob' | 'long' | 'double';
  required?: string[];
  min?: number;
  max?: number;
  pattern?: string;
  enum?: string[];
  member?: MemberRef;
  key?: MemberRef;
  value?: MemberRef;
  members?: Record<string, MemberRef>;
  flattened?: boolean;
}

export interface OperationModel {
  input: string | null;
  output: string | null;
  resultWrapper: string | null;
}

export interface ServiceModel {
  metadata: { apiVersion: string; xmlNamespace: string };
  operations: Record<string, OperationModel>;
  shapes: Record<string, Shape>;
  /** Compiled, anchored patterns by shape name. */
  patterns: Map<string, RegExp>;
}

function load(raw: unknown): ServiceModel {
  const m = raw as Omit<ServiceModel, 'patterns'>;
  const patterns = new Map<string, RegExp>();
  for (const [name, shape] of Object.entries(m.shapes)) {
    if (shape.pattern !== undefined) patterns.set(name, toRegExp(shape.pattern));
  }
  return { ...m, patterns };
}

/** Botocore patterns are Java regular expressions; these few rewrites make them valid JS with the `u` flag. */
function toRegExp(java: string): RegExp {
  const js = java.replace(/\\u10000-\\u10FFFF/g, '\\u{10000}-\\u{10FFFF}').replace(/\\:/g, ':');
  const body = js.startsWith('^') && js.endsWith('$') ? js.slice(1, -1) : js;
  return new RegExp(`^(?:${body})$`, 'u');
}

export const MODELS = { iam: load(iamModel), sts: load(stsModel) } as const;
export type ServiceName = keyof typeof MODELS;
