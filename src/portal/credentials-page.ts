/**
 * The CLI credentials page (POST /portal/credentials): what views/portal/credentials.ejs shows.
 * - Environment variables with a region (`AWS_REGION`, `AWS_DEFAULT_REGION`: `portal.region`)
 *   and `AWS_ENDPOINT_URL`, which the AWS CLI honours from 2.13 and the current SDKs honour.
 * - For older CLIs (Debian 12's 2.9 ignores `AWS_ENDPOINT_URL` and the config file's
 *   `endpoint_url`): an `aws` shell function that adds `--endpoint-url`.
 * - The gatehouse helper (GET /portal/cli/gatehouse.mjs) as a `credential_process`: its
 *   one-line install, `login`, and the `aws configure set` line.
 * - The expiry as an ISO time (views/static/gatehouse.js shows it in the viewer's local time)
 *   and in words on the injected clock ("in 59 minutes"; the script keeps it current).
 * Every value placed in a shell line is either generated here (keys, tokens: base64/hex
 * alphabets) or validated (set names `[\w+=,.@-]`, the region, the configured public URL).
 * The page is no-store (the portal router sets it for every /portal page).
 */
import type { MintedCredentials } from './broker.js';
import { relativeInWords } from '../web/in-words.js';

export interface CredentialsPageInput {
  credentials: MintedCredentials;
  /** The permission set's name; also the AWS CLI profile name. */
  set: string;
  /** `server.publicUrl`, without a trailing slash. */
  publicUrl: string;
  region: string;
  now: number;
}

export interface CredentialsPageLocals {
  set: string;
  profile: string;
  region: string;
  endpoint: string;
  portalUrl: string;
  c: MintedCredentials;
  /** ISO 8601 (UTC), for `<time datetime>`. */
  expiresIso: string;
  /** "2026-12-07 05:20 UTC": what is shown before the script turns it into local time. */
  expiresUtc: string;
  /** "in 59 minutes". */
  expiresIn: string;
  /** Copyable blocks, in page order. */
  blocks: {
    bash: string;
    oldCli: string;
    helper: string;
    powershell: string;
    powershellOldCli: string;
    credentialsFile: string;
    configFile: string;
  };
}

/** The quoted form of a value for a POSIX shell (single quotes; none of ours contain one). */
const sh = (v: string) => (/^[\w@%+=:,./-]+$/.test(v) ? v : `'${v.replace(/'/g, `'\\''`)}'`);

export function credentialsPage(input: CredentialsPageInput): CredentialsPageLocals {
  const { credentials: c, set, region } = input;
  const endpoint = input.publicUrl.replace(/\/+$/, '');
  const portalUrl = `${endpoint}/portal/`;
  const profile = set;
  const iso = new Date(c.Expiration).toISOString();
  const bash = [
    `export AWS_ACCESS_KEY_ID=${c.AccessKeyId}`,
    `export AWS_SECRET_ACCESS_KEY=${c.SecretAccessKey}`,
    `export AWS_SESSION_TOKEN=${c.SessionToken}`,
    `export AWS_REGION=${region}`,
    `export AWS_DEFAULT_REGION=${region}`,
    `export AWS_ENDPOINT_URL=${endpoint}`,
  ].join('\n');
  const oldCli = `aws() { command aws --endpoint-url ${sh(endpoint)} "$@"; }`;
  const helper = [
    `mkdir -p ~/.gatehouse && curl -fsS ${endpoint}/portal/cli/gatehouse.mjs -o ~/.gatehouse/gatehouse.mjs`,
    `node ~/.gatehouse/gatehouse.mjs login --portal ${portalUrl}`,
    `aws configure set credential_process "node $HOME/.gatehouse/gatehouse.mjs credentials --portal ${portalUrl} --permission-set ${set}" --profile ${profile}`,
    `aws configure set region ${region} --profile ${profile}`,
    `aws configure set endpoint_url ${endpoint} --profile ${profile}`,
  ].join('\n');
  const powershell = [
    `$Env:AWS_ACCESS_KEY_ID="${c.AccessKeyId}"`,
    `$Env:AWS_SECRET_ACCESS_KEY="${c.SecretAccessKey}"`,
    `$Env:AWS_SESSION_TOKEN="${c.SessionToken}"`,
    `$Env:AWS_REGION="${region}"`,
    `$Env:AWS_DEFAULT_REGION="${region}"`,
    `$Env:AWS_ENDPOINT_URL="${endpoint}"`,
  ].join('\n');
  const powershellOldCli = `function aws { & (Get-Command aws -CommandType Application | Select-Object -First 1).Source --endpoint-url "${endpoint}" @args }`;
  const credentialsFile = [`[${profile}]`, `aws_access_key_id = ${c.AccessKeyId}`, `aws_secret_access_key = ${c.SecretAccessKey}`, `aws_session_token = ${c.SessionToken}`].join('\n');
  const configFile = [`[profile ${profile}]`, `region = ${region}`, `# honoured by AWS CLI 2.13+ and the SDKs; older CLIs need --endpoint-url`, `endpoint_url = ${endpoint}`].join('\n');
  return {
    set,
    profile,
    region,
    endpoint,
    portalUrl,
    c,
    expiresIso: iso,
    expiresUtc: `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`,
    expiresIn: relativeInWords(c.Expiration, input.now),
    blocks: { bash, oldCli, helper, powershell, powershellOldCli, credentialsFile, configFile },
  };
}
