/**
 * AWS's managed-policy catalogue: the default version of each AWS managed policy
 * (`arn:aws:iam::aws:policy/…`), as AWS publishes them, shipped gzipped next to this file
 * (aws-managed-policies.json.gz, 1,452 policies).
 *
 * - Loaded lazily, once per process, on the first lookup (about 3 MB of JSON).
 * - Every account sees the same catalogue; what is per account (attachments, boundary
 *   use) lives in the store.
 * - Read-only: nothing here is ever written.
 * - Policies under `/aws-service-role/` belong to service-linked roles: they are listed and
 *   readable, but cannot be attached (PolicyNotAttachable), as in AWS.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

export interface AwsManagedPolicy {
  name: string;
  /** `ANPA…`, AWS's own id. */
  id: string;
  arn: string;
  path: string;
  defaultVersionId: string;
  /** The default version's document, as JSON text. */
  document: string;
  createdAt: number;
  updatedAt: number;
  /** Whether customers may attach it (not a service-linked role's policy). */
  attachable: boolean;
}

export const AWS_POLICY_ARN_PREFIX = 'arn:aws:iam::aws:policy/';
const SERVICE_ROLE_PATH = '/aws-service-role/';
const FILE = 'aws-managed-policies.json.gz';

interface Catalogue {
  /** Sorted by lower-cased name (AWS's list order). */
  list: readonly AwsManagedPolicy[];
  byArn: ReadonlyMap<string, AwsManagedPolicy>;
}

let loaded: Catalogue | undefined;

/** Where the file is: next to this module, or in src/ when running the build from dist/. */
function locate(): string {
  const here = fileURLToPath(new URL(`./${FILE}`, import.meta.url));
  if (existsSync(here)) return here;
  const fromSource = here.replace(/([\\/])dist([\\/])iam\1managed\2/, '$1src$1iam$1managed$1');
  if (existsSync(fromSource)) return fromSource;
  throw new Error(`AWS managed-policy catalogue not found at ${here}`);
}

interface RawPolicy {
  PolicyName: string;
  PolicyId: string;
  Arn: string;
  Path: string;
  DefaultVersionId: string;
  CreateDate: string;
  UpdateDate: string;
  Document: unknown;
}

function load(): Catalogue {
  let raw: { Policies: RawPolicy[] };
  try {
    raw = JSON.parse(gunzipSync(readFileSync(locate())).toString('utf8')) as { Policies: RawPolicy[] };
  } catch (err) {
    throw new Error('cannot read the AWS managed-policy catalogue', { cause: err });
  }
  const list = raw.Policies.map(
    (p): AwsManagedPolicy => ({
      name: p.PolicyName,
      id: p.PolicyId,
      arn: p.Arn,
      path: p.Path,
      defaultVersionId: p.DefaultVersionId,
      document: JSON.stringify(p.Document),
      createdAt: Date.parse(p.CreateDate),
      updatedAt: Date.parse(p.UpdateDate),
      attachable: p.Path !== SERVICE_ROLE_PATH,
    }),
  ).sort((a, b) => (a.name.toLowerCase() < b.name.toLowerCase() ? -1 : a.name.toLowerCase() > b.name.toLowerCase() ? 1 : 0));
  return { list, byArn: new Map(list.map((p) => [p.arn, p])) };
}

function catalogue(): Catalogue {
  loaded ??= load();
  return loaded;
}

/** Whether the ARN is in AWS's namespace (`arn:aws:iam::aws:policy/…`), whether or not such a policy exists. */
export function isAwsPolicyArn(arn: string): boolean {
  return arn.startsWith(AWS_POLICY_ARN_PREFIX);
}

/** The AWS managed policy with exactly this ARN (path included). */
export function awsManagedPolicy(arn: string): AwsManagedPolicy | undefined {
  return isAwsPolicyArn(arn) ? catalogue().byArn.get(arn) : undefined;
}

/** Every AWS managed policy, sorted by lower-cased name. */
export function awsManagedPolicies(): readonly AwsManagedPolicy[] {
  return catalogue().list;
}
