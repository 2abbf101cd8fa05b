/**
 * `gatehouse credentials --portal URL --user NAME --permission-set SET`: a credential_process
 * helper. The password is read from the terminal (not echoed), or from stdin when stdin is
 * not a terminal. It prints {"Version":1,"AccessKeyId","SecretAccessKey","SessionToken","Expiration"}.
 */

export interface CredentialsIo {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  stderr: { write(text: string): unknown };
}

export async function readPassword(io: CredentialsIo): Promise<string> {
  if (!io.stdin.isTTY || !io.stdin.setRawMode) {
    let text = '';
    for await (const chunk of io.stdin) text += chunk.toString();
    return text.replace(/\r?\n$/, '');
  }
  io.stderr.write('Password: ');
  io.stdin.setRawMode(true);
  return new Promise((resolve, reject) => {
    let text = '';
    const onData = (chunk: Buffer) => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003') return fail(new Error('interrupted'));
        if (ch === '\u007f') text = text.slice(0, -1);
        else text += ch;
      }
    };
    const cleanup = () => {
      io.stdin.removeListener('data', onData);
      io.stdin.setRawMode!(false);
      (io.stdin as NodeJS.ReadStream).pause?.();
      io.stderr.write('\n');
    };
    const done = () => {
      cleanup();
      resolve(text);
    };
    const fail = (err: Error) => {
      cleanup();
      reject(err);
    };
    io.stdin.on('data', onData);
    (io.stdin as NodeJS.ReadStream).resume?.();
  });
}

/** The portal's credentials API URL for a portal URL given with or without `/portal/`. */
export function apiUrl(portal: string): string {
  const u = new URL(portal);
  return new URL('/portal/api/credentials', u.origin).href;
}

export async function fetchCredentials(portal: string, user: string, permissionSet: string, password: string): Promise<string> {
  const res = await fetch(apiUrl(portal), {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ username: user, password, permissionSet }),
    redirect: 'error',
  });
  const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (!res.ok) throw new Error(`${res.status} ${String(body.code ?? 'Error')}: ${String(body.message ?? 'the portal refused the request')}`);
  const { Version, AccessKeyId, SecretAccessKey, SessionToken, Expiration } = body;
  return JSON.stringify({ Version, AccessKeyId, SecretAccessKey, SessionToken, Expiration });
}
