/**
 * "Same shape" for the CLI examples' outputs: every key the documented output has is in ours
 * (at every depth), lists that have items there have items here, and objects stay objects.
 * A documented list item is compared with our item of the same name (else our first item), so
 * entities the sample account lacks do not matter.
 * Scalars are not compared (the examples' values are samples: ids, dates, even "0" for 0), nor
 * is a document string against the object the CLI decodes it into. A few keys depend on the
 * sample's data, not on the operation's shape, and may be absent; policy documents are the
 * sample's own policies and RoleLastUsed is `{}` until a role is used, so for those only their
 * presence counts.
 */
const DATA_DEPENDENT = new Set(['Marker', 'PasswordLastUsed', 'Description', 'Tags', 'PermissionsBoundary', 'IsTruncated']);
const DOCUMENTS = new Set(['AssumeRolePolicyDocument', 'PolicyDocument', 'Document']);
/** Present always, filled only once the role was used (AWS answers `{}` before). */
const USE_DEPENDENT = new Set(['RoleLastUsed']);

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const isObject = (v: unknown): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Keys that name an entity: a documented item is compared with our item of the same name, if any. */
const NAME_KEYS = ['UserName', 'GroupName', 'RoleName', 'PolicyName', 'InstanceProfileName', 'SerialNumber', 'AccessKeyId', 'CertificateId'];

const sameName = (e: Record<string, Json>, a: unknown) => isObject(a) && NAME_KEYS.some((k) => typeof e[k] === 'string' && e[k] === a[k]);

/** The differences, as `path: what`; empty when the shapes agree. */
export function shapeDiff(expected: unknown, actual: unknown, path = '$'): string[] {
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return [`${path}: expected a list`];
    if (expected.length > 0 && actual.length === 0) return [`${path}: expected items, got none`];
    if (expected.length === 0) return [];
    // Each documented item against our item of the same name, else against our first item.
    return expected.flatMap((e, i) => {
      if (!isObject(e)) return [];
      const j = actual.findIndex((a) => sameName(e, a));
      return shapeDiff(e, actual[j >= 0 ? j : 0], `${path}[${j >= 0 ? j : 0}]`);
    });
  }
  if (isObject(expected)) {
    // One documented item written without its list's brackets.
    if (Array.isArray(actual)) return shapeDiff([expected], actual, path);
    if (!isObject(actual)) return [`${path}: expected an object`];
    return Object.keys(expected).flatMap((k) => {
      if (!(k in actual)) return DATA_DEPENDENT.has(k) ? [] : [`${path}.${k}: missing`];
      return DOCUMENTS.has(k) || USE_DEPENDENT.has(k) ? [] : shapeDiff(expected[k], actual[k], `${path}.${k}`);
    });
  }
  return [];
}
