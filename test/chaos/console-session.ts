/** A console login as the browser makes it: the session cookie and the CSRF token for changes. */
export interface ConsoleSession {
  cookie: string;
  csrfToken: string;
  /** Headers of a change made in this session. */
  headers: [string, string][];
}

export async function consoleLogin(
  url: string,
  role: 'customer' | 'operator',
  name: string,
  password: string,
): Promise<ConsoleSession> {
  const response = await fetch(`${url}/console/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ role, name, password }),
  });
  if (response.status !== 200)
    throw new Error(`${role} login: HTTP ${response.status} ${await response.text()}`);
  const { csrfToken } = (await response.json()) as { csrfToken: string };
  const cookie = response.headers
    .getSetCookie()
    .map((line) => line.split(';')[0])
    .join('; ');
  return {
    cookie,
    csrfToken,
    headers: [
      ['Cookie', cookie],
      ['X-CSRF-Token', csrfToken],
    ],
  };
}

/** A multipart/form-data body: fields, then files. */
export function multipart(
  boundary: string,
  fields: Record<string, string>,
  files: { field: string; name: string; type: string; content: Buffer }[],
): Buffer {
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    parts.push(
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`),
    );
  }
  for (const file of files) {
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${file.field}"; filename="${file.name}"\r\nContent-Type: ${file.type}\r\n\r\n`,
      ),
      file.content,
      Buffer.from('\r\n'),
    );
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(parts);
}
