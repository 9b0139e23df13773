import dgram from 'node:dgram';
import { type PdbAnswer, decodePdbAnswer } from '../pdb-protocol.js';

/** Long enough for a loopback answer on a busy machine; a dropped packet costs a test this much. */
const ANSWER_WAIT_MS = 1000;

/** A UDP client of the pdb endpoint for tests: sends raw packets, reads answers in arrival order. */
export class PdbTestClient {
  readonly #socket = dgram.createSocket('udp4');
  readonly #answers: Buffer[] = [];
  readonly #waiting: ((answer: Buffer | undefined) => void)[] = [];

  private constructor(private readonly port: number) {
    this.#socket.on('message', (packet) => {
      const waiter = this.#waiting.shift();
      if (waiter) waiter(packet);
      else this.#answers.push(packet);
    });
  }

  static async connect(port: number): Promise<PdbTestClient> {
    const client = new PdbTestClient(port);
    await new Promise<void>((resolve) => client.#socket.bind(0, '127.0.0.1', resolve));
    return client;
  }

  send(packet: Uint8Array): void {
    this.#socket.send(packet, this.port, '127.0.0.1');
  }

  /** The next raw answer, or undefined when none comes within the wait. */
  next(waitMs = ANSWER_WAIT_MS): Promise<Buffer | undefined> {
    const ready = this.#answers.shift();
    if (ready) return Promise.resolve(ready);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#waiting.splice(this.#waiting.indexOf(waiter), 1);
        resolve(undefined);
      }, waitMs);
      const waiter = (answer: Buffer | undefined) => {
        clearTimeout(timer);
        resolve(answer);
      };
      this.#waiting.push(waiter);
    });
  }

  async ask(packet: Uint8Array): Promise<PdbAnswer | undefined> {
    this.send(packet);
    const answer = await this.next();
    return answer && decodePdbAnswer(answer);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.#socket.close(() => resolve()));
  }
}
