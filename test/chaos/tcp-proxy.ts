/**
 * A TCP proxy between a node and its PostgreSQL, run by the test: `cut()` ends every connection
 * through it and refuses new ones (as a network between them going down), `restore()` lets them
 * through again.
 */
import net from 'node:net';

export interface TcpProxy {
  port: number;
  /** The local ports of the proxy's connections to the server: pg_stat_activity's client_port. */
  upstreamPorts(): number[];
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(targetHost: string, targetPort: number): Promise<TcpProxy> {
  const pairs = new Set<{ client: net.Socket; upstream: net.Socket }>();
  let down = false;
  const server = net.createServer((client) => {
    if (down) {
      client.destroy();
      return;
    }
    const upstream = net.connect(targetPort, targetHost);
    const pair = { client, upstream };
    pairs.add(pair);
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    upstreamPorts: () =>
      [...pairs].map((pair) => pair.upstream.localPort).filter((port) => port !== undefined),
    cut: () => {
      down = true;
      for (const pair of pairs) {
        // A reset, not a polite end: the node learns of it as of a network failure.
        pair.client.resetAndDestroy();
        pair.upstream.destroy();
      }
      pairs.clear();
    },
    restore: () => {
      down = false;
    },
    close: async () => {
      down = true;
      for (const pair of pairs) {
        pair.client.destroy();
        pair.upstream.destroy();
      }
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
