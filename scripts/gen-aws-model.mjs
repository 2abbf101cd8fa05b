#!/usr/bin/env node
/**
 * Generates, from botocore's models as shipped by Debian's awscli package:
 * 1. the trimmed AWS service models the operation layer validates with and the query
 *    protocol codec is driven by (src/api/model/{iam,sts}.json): only the operations
 *    Gatehouse implements, with the shapes they reach, without documentation;
 * 2. per-operation input and output TypeScript types (src/api/types/{iam,sts}.ts), each
 *    constraint (length, range, pattern, enum, required) as a doc comment.
 *
 *   node scripts/gen-aws-model.mjs [/usr/lib/python3/dist-packages/awscli/botocore/data]
 *   node scripts/gen-aws-model.mjs --types-only     (step 2 from the committed models)
 */
import { readFileSync, writeFileSync } from 'node:fs';

const typesOnly = process.argv[2] === '--types-only';
const root = (typesOnly ? undefined : process.argv[2]) ?? '/usr/lib/python3/dist-packages/awscli/botocore/data';
const MODEL_DIR = new URL('../src/api/model/', import.meta.url);
const TYPES_DIR = new URL('../src/api/types/', import.meta.url);
const SERVICES = {
  iam: {
    file: 'iam/2010-05-08/service-2.json',
    operations: `CreateUser GetUser ListUsers UpdateUser DeleteUser TagUser UntagUser ListUserTags
      PutUserPermissionsBoundary DeleteUserPermissionsBoundary PutRolePermissionsBoundary DeleteRolePermissionsBoundary
      CreateGroup GetGroup ListGroups UpdateGroup DeleteGroup AddUserToGroup RemoveUserFromGroup ListGroupsForUser
      CreateRole GetRole ListRoles UpdateRole UpdateAssumeRolePolicy DeleteRole
      PutUserPolicy GetUserPolicy DeleteUserPolicy ListUserPolicies
      PutGroupPolicy GetGroupPolicy DeleteGroupPolicy ListGroupPolicies
      PutRolePolicy GetRolePolicy DeleteRolePolicy ListRolePolicies
      CreatePolicy GetPolicy DeletePolicy ListPolicies CreatePolicyVersion GetPolicyVersion ListPolicyVersions
      DeletePolicyVersion SetDefaultPolicyVersion
      AttachUserPolicy DetachUserPolicy AttachGroupPolicy DetachGroupPolicy AttachRolePolicy DetachRolePolicy
      ListAttachedUserPolicies ListAttachedGroupPolicies ListAttachedRolePolicies
      CreateAccessKey ListAccessKeys UpdateAccessKey DeleteAccessKey GetAccessKeyLastUsed
      CreateLoginProfile GetLoginProfile UpdateLoginProfile DeleteLoginProfile ChangePassword
      UpdateAccountPasswordPolicy GetAccountPasswordPolicy DeleteAccountPasswordPolicy
      CreateVirtualMFADevice EnableMFADevice DeactivateMFADevice ResyncMFADevice ListMFADevices
      ListVirtualMFADevices DeleteVirtualMFADevice
      CreateAccountAlias ListAccountAliases DeleteAccountAlias GetAccountSummary
      SimulatePrincipalPolicy SimulateCustomPolicy
      TagRole UntagRole ListRoleTags UpdateRoleDescription ListEntitiesForPolicy
      TagPolicy UntagPolicy ListPolicyTags TagMFADevice UntagMFADevice ListMFADeviceTags
      GetAccountAuthorizationDetails GetContextKeysForCustomPolicy GetContextKeysForPrincipalPolicy
      UploadSigningCertificate ListSigningCertificates UpdateSigningCertificate DeleteSigningCertificate
      CreateInstanceProfile DeleteInstanceProfile GetInstanceProfile ListInstanceProfiles
      AddRoleToInstanceProfile RemoveRoleFromInstanceProfile ListInstanceProfilesForRole`.split(/\s+/),
  },
  sts: {
    file: 'sts/2011-06-15/service-2.json',
    operations: ['GetFederationToken', 'GetSessionToken', 'AssumeRole', 'GetCallerIdentity'],
  },
};

const KEEP = ['type', 'required', 'min', 'max', 'pattern', 'enum', 'member', 'key', 'value', 'members', 'flattened', 'locationName'];

for (const [name, svc] of Object.entries(typesOnly ? {} : SERVICES)) {
  const model = JSON.parse(readFileSync(`${root}/${svc.file}`, 'utf8'));
  const shapes = {};
  const visit = (shapeName) => {
    if (!shapeName || shapes[shapeName]) return;
    const src = model.shapes[shapeName];
    if (!src) throw new Error(`${name}: no shape ${shapeName}`);
    const out = {};
    for (const k of KEEP) if (src[k] !== undefined) out[k] = src[k];
    if (out.members) {
      out.members = Object.fromEntries(Object.entries(out.members).map(([m, v]) => [m, { shape: v.shape, ...(v.locationName ? { locationName: v.locationName } : {}) }]));
    }
    for (const k of ['member', 'key', 'value']) if (out[k]) out[k] = { shape: out[k].shape, ...(out[k].locationName ? { locationName: out[k].locationName } : {}) };
    shapes[shapeName] = out;
    for (const m of Object.values(out.members ?? {})) visit(m.shape);
    for (const k of ['member', 'key', 'value']) if (out[k]) visit(out[k].shape);
  };
  const operations = {};
  for (const op of svc.operations) {
    const o = model.operations[op];
    if (!o) throw new Error(`${name}: no operation ${op}`);
    operations[op] = { input: o.input?.shape ?? null, output: o.output?.shape ?? null, resultWrapper: o.output?.resultWrapper ?? null };
    visit(o.input?.shape);
    visit(o.output?.shape);
  }
  const out = { metadata: { apiVersion: model.metadata.apiVersion, xmlNamespace: model.metadata.xmlNamespace, source: `botocore ${svc.file}` }, operations, shapes };
  writeFileSync(new URL(`${name}.json`, MODEL_DIR), JSON.stringify(out, null, 1) + '\n');
  console.log(`${name}: ${Object.keys(operations).length} operations, ${Object.keys(shapes).length} shapes`);
}

// ---- 2. TypeScript types from the trimmed models ----

const pascal = (s) => s.charAt(0).toUpperCase() + s.slice(1);

/** The doc comment lines for a shape's constraints. */
function constraints(shape, required) {
  const lines = [];
  if (required) lines.push('Required.');
  const isNumber = shape.type === 'integer' || shape.type === 'long' || shape.type === 'double';
  const unit = shape.type === 'list' ? ' items' : isNumber ? '' : ' characters';
  if (shape.min !== undefined && shape.max !== undefined) lines.push(isNumber ? `Between ${shape.min} and ${shape.max}.` : `${shape.min} to ${shape.max}${unit}.`);
  else if (shape.min !== undefined) lines.push(isNumber ? `At least ${shape.min}.` : `At least ${shape.min}${unit}.`);
  else if (shape.max !== undefined) lines.push(isNumber ? `At most ${shape.max}.` : `At most ${shape.max}${unit}.`);
  if (shape.pattern !== undefined) lines.push(`Pattern: \`${shape.pattern.replace(/\*\//g, '*\\/')}\``);
  return lines;
}

function typeExpr(model, shapeName, names) {
  const shape = model.shapes[shapeName];
  switch (shape.type) {
    case 'structure':
      return names(shapeName);
    case 'list':
      return `Array<${typeExpr(model, shape.member.shape, names)}>`;
    case 'map':
      return `Record<${typeExpr(model, shape.key.shape, names)}, ${typeExpr(model, shape.value.shape, names)}>`;
    case 'integer':
    case 'long':
    case 'double':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'timestamp':
      return 'Timestamp';
    case 'blob':
      return 'Uint8Array';
    default:
      return shape.enum ? shape.enum.map((e) => JSON.stringify(e)).join(' | ') : 'string';
  }
}

function renderTypes(name, model) {
  const svc = pascal(name);
  const title = name.toUpperCase();
  const structures = new Map();
  const typeName = (shapeName) => {
    if (!structures.has(shapeName)) structures.set(shapeName, `${svc}${pascal(shapeName)}`);
    return structures.get(shapeName);
  };
  const out = [];
  const body = (shapeName) => {
    const shape = model.shapes[shapeName];
    const lines = [];
    for (const [member, ref] of Object.entries(shape.members ?? {})) {
      const required = shape.required?.includes(member) ?? false;
      const docs = constraints(model.shapes[ref.shape], required);
      if (docs.length === 1) lines.push(`  /** ${docs[0]} */`);
      else if (docs.length > 1) lines.push('  /**', ...docs.map((d) => `   * ${d}`), '   */');
      const key = /^[A-Za-z_$][\w$]*$/.test(member) ? member : JSON.stringify(member);
      lines.push(`  ${key}${required ? '' : '?'}: ${typeExpr(model, ref.shape, typeName)};`);
    }
    return lines;
  };
  const ops = Object.entries(model.operations);
  // Named structures, reached from the operations (breadth first, so the file reads top-down).
  // Object type aliases, not interfaces: they are assignable to Record<string, unknown>, the untyped handler input.
  const emitted = new Set();
  const queue = [];
  const reach = (shapeName) => {
    const shape = model.shapes[shapeName];
    if (shape.type === 'structure') typeName(shapeName);
    for (const ref of Object.values(shape.members ?? {})) walk(ref.shape);
    for (const k of ['member', 'key', 'value']) if (shape[k]) walk(shape[k].shape);
  };
  const walk = (shapeName) => {
    if (emitted.has(shapeName)) return;
    emitted.add(shapeName);
    queue.push(shapeName);
    reach(shapeName);
  };
  out.push(`/**`, ` * GENERATED by scripts/gen-aws-model.mjs from ${model.metadata.source ?? 'botocore'}: do not edit.`,
    ` * ${title} operation inputs and outputs as TypeScript types, each constraint AWS's model`,
    ` * states as a doc comment. Inputs are what src/api's invoke() takes (validated against the`,
    ` * same model there); outputs are what the handlers return and the codecs encode.`, ` */`, '',
    `/** A timestamp: epoch milliseconds or a Date (encoded as ISO-8601 UTC). */`, `export type Timestamp = number | Date;`, '');
  for (const [op, o] of ops) {
    if (o.input) walk(o.input);
    if (o.output) walk(o.output);
  }
  for (const shapeName of queue) {
    const shape = model.shapes[shapeName];
    if (shape.type !== 'structure') continue;
    out.push(`export type ${typeName(shapeName)} = {`, ...body(shapeName), `};`, '');
  }
  out.push(`/** Each operation's input. */`, `export interface ${svc}Inputs {`);
  for (const [op, o] of ops) out.push(`  ${op}: ${o.input ? typeName(o.input) : 'Record<string, never>'};`);
  out.push('}', '', `/** Each operation's output (\`undefined\` for operations that answer with no result). */`, `export interface ${svc}Outputs {`);
  for (const [op, o] of ops) out.push(`  ${op}: ${o.output ? typeName(o.output) : 'undefined'};`);
  out.push('}', '', `export type ${svc}Action = keyof ${svc}Inputs;`, '');
  return out.join('\n');
}

for (const name of Object.keys(SERVICES)) {
  const model = JSON.parse(readFileSync(new URL(`${name}.json`, MODEL_DIR), 'utf8'));
  writeFileSync(new URL(`${name}.ts`, TYPES_DIR), renderTypes(name, model));
  console.log(`${name}: types written`);
}
