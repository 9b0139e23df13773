import { type ChildProcess, spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Debian's Kamailio, started in the foreground for a test with a configuration that asks a pdb
 * server for every request's user part and answers 200 with the carrier id in `X-Carrier`.
 */
const KAMAILIO = process.env.MNPD_KAMAILIO ?? '/usr/sbin/kamailio';
/** Kamailio has started when it answers; it takes well under a second, far more on a loaded machine. */
const START_WAIT_MS = 20_000;
const SIP_ANSWER_WAIT_MS = 3000;
/** Kamailio's own wait for the pdb server, generous for a shared test machine (its default is 50). */
const PDB_TIMEOUT_MS = 1000;

/** Where the `kamailio` package put its modules (the directory holding pdb.so), by architecture. */
function modulesDirectory(): string | undefined {
  const candidates = ['/usr/lib/kamailio/modules', '/usr/lib64/kamailio/modules'];
  if (existsSync('/usr/lib')) {
    for (const entry of readdirSync('/usr/lib')) candidates.push(join('/usr/lib', entry, 'kamailio/modules'));
  }
  return candidates.find((directory) => existsSync(join(directory, 'pdb.so')));
}

/** Why Kamailio cannot run here, or undefined when it can. */
export function kamailioMissing(): string | undefined {
  if (!existsSync(KAMAILIO)) return `${KAMAILIO} is not installed (apt-get install kamailio)`;
  if (!modulesDirectory()) return "Kamailio's pdb.so module was not found";
  return undefined;
}

function configuration(modules: string, sipPort: number, pdbPort: number): string {
  return `#!KAMAILIO
debug=2
log_stderror=yes
children=1
disable_tcp=yes
disable_sctp=yes
auto_aliases=no
listen=udp:127.0.0.1:${sipPort}
mpath="${modules}/"
loadmodule "sl.so"
loadmodule "textops.so"
loadmodule "pv.so"
loadmodule "pdb.so"
modparam("pdb", "server", "127.0.0.1:${pdbPort}")
modparam("pdb", "timeout", ${PDB_TIMEOUT_MS})

request_route {
  if (!pdb_query("$rU", "$avp(s:carrierid)")) {
    $avp(s:carrierid) = "no-answer";
  }
  append_to_reply("X-Carrier: $avp(s:carrierid)\\r\\n");
  sl_send_reply("200", "OK");
  exit;
}
`;
}

async function freeUdpPort(): Promise<number> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(resolve));
  return port;
}

export class KamailioUnderTest {
  readonly #output: string[] = [];
  #exited = false;

  private constructor(
    private readonly process: ChildProcess,
    private readonly directory: string,
    private readonly sipPort: number,
    private readonly client: dgram.Socket,
  ) {
    process.stdout?.on('data', (chunk: Buffer) => this.#output.push(chunk.toString()));
    process.stderr?.on('data', (chunk: Buffer) => this.#output.push(chunk.toString()));
    process.on('exit', () => (this.#exited = true));
  }

  /** Starts Kamailio pointed at the pdb server on `pdbPort` and waits until it answers SIP. */
  static async start(pdbPort: number): Promise<KamailioUnderTest> {
    const modules = modulesDirectory();
    if (!modules) throw new Error(kamailioMissing());
    const directory = mkdtempSync(join(tmpdir(), 'mnpd-kamailio-'));
    const runtime = join(directory, 'run');
    mkdirSync(runtime);
    const sipPort = await freeUdpPort();
    const config = join(directory, 'kamailio.cfg');
    writeFileSync(config, configuration(modules, sipPort, pdbPort));
    const child = spawn(
      KAMAILIO,
      ['-f', config, '-DD', '-E', '-Y', runtime, '-w', directory, '-m', '16', '-M', '4'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const client = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => client.bind(0, '127.0.0.1', resolve));
    const kamailio = new KamailioUnderTest(child, directory, sipPort, client);
    await kamailio.#waitUntilAnswering();
    return kamailio;
  }

  /** Sends an OPTIONS request to `user` and returns the reply's X-Carrier header. */
  async carrierOf(user: string, waitMs = SIP_ANSWER_WAIT_MS): Promise<string> {
    const reply = await this.#request(user, waitMs);
    if (reply === undefined) throw new Error(`Kamailio did not answer:\n${this.output}`);
    const header = /^X-Carrier: *(.*?)\r?$/im.exec(reply);
    if (!reply.startsWith('SIP/2.0 200') || !header) throw new Error(`unexpected reply:\n${reply}`);
    return header[1];
  }

  get output(): string {
    return this.#output.join('');
  }

  async stop(): Promise<void> {
    this.client.close();
    if (!this.#exited) {
      const exited = new Promise((resolve) => this.process.once('exit', resolve));
      this.process.kill('SIGTERM');
      const timer = setTimeout(() => this.process.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(this.directory, { recursive: true, force: true });
  }

  async #waitUntilAnswering(): Promise<void> {
    const deadline = Date.now() + START_WAIT_MS;
    while (Date.now() < deadline) {
      if (this.#exited) throw new Error(`Kamailio exited at start:\n${this.output}`);
      // A user with no digits: the pdb server answers "not a number" at once.
      if ((await this.#request('probe', 200)) !== undefined) return;
    }
    throw new Error(`Kamailio did not answer within ${START_WAIT_MS} ms:\n${this.output}`);
  }

  #request(user: string, waitMs: number): Promise<string | undefined> {
    const { port } = this.client.address();
    const tag = Math.random().toString(36).slice(2);
    const request = [
      `OPTIONS sip:${user}@127.0.0.1:${this.sipPort} SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.1:${port};branch=z9hG4bK-${tag}`,
      `From: <sip:mnpd-test@127.0.0.1>;tag=${tag}`,
      `To: <sip:${user}@127.0.0.1>`,
      `Call-ID: ${tag}@127.0.0.1`,
      'CSeq: 1 OPTIONS',
      'Max-Forwards: 70',
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n');
    return new Promise((resolve) => {
      const onMessage = (packet: Buffer) => {
        const text = packet.toString();
        // Replies to earlier probes may still arrive: only this request's Call-ID counts.
        if (!text.includes(`Call-ID: ${tag}@`)) return;
        clearTimeout(timer);
        this.client.off('message', onMessage);
        resolve(text);
      };
      const timer = setTimeout(() => {
        this.client.off('message', onMessage);
        resolve(undefined);
      }, waitMs);
      this.client.on('message', onMessage);
      this.client.send(request, this.sipPort, '127.0.0.1');
    });
  }
}
