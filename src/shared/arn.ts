/**
 * ARN parsing and formatting: `arn:partition:service:region:account-id:resource`.
 * The resource part may itself contain colons; only the first five separate fields.
 */

export interface Arn {
  partition: string;
  service: string;
  region: string;
  account: string;
  resource: string;
}

/** Parses an ARN, or returns undefined when the text is not one. */
export function parseArn(text: string): Arn | undefined {
  if (!text.startsWith('arn:')) return undefined;
  const parts: string[] = [];
  let start = 4;
  for (let i = 0; i < 4; i++) {
    const colon = text.indexOf(':', start);
    if (colon < 0) return undefined;
    parts.push(text.slice(start, colon));
    start = colon + 1;
  }
  const [partition, service, region, account] = parts as [string, string, string, string];
  if (partition === '' || service === '') return undefined;
  return { partition, service, region, account, resource: text.slice(start) };
}

export function formatArn(arn: Arn): string {
  return `arn:${arn.partition}:${arn.service}:${arn.region}:${arn.account}:${arn.resource}`;
}

/** The partition Gatehouse answers for. */
export const PARTITION = 'aws';

/** ARN of an IAM entity: `arn:aws:iam::123456789012:user/path/name`. */
export function iamArn(account: string, kind: string, path: string, name: string): string {
  return formatArn({ partition: PARTITION, service: 'iam', region: '', account, resource: `${kind}${path}${name}` });
}

/** ARN of an STS principal, e.g. `federated-user/Name` or `assumed-role/Role/session`. */
export function stsArn(account: string, resource: string): string {
  return formatArn({ partition: PARTITION, service: 'sts', region: '', account, resource });
}

/** The account root principal ARN. */
export function rootArn(account: string): string {
  return iamArn(account, 'root', '', '');
}
