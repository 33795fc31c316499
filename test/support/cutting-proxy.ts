/**
 * A loopback TCP proxy that forwards to a real server and cuts both sides after the server has
 * sent `cutAfterBytes` bytes (TLS passes through untouched). For fault-injection tests. Test-only.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

export interface CuttingProxy {
  port: number;
  /** Arms the cut for connections opened from now on (null: never cut). */
  setCut(cutAfterBytes: number | null): void;
  close(): Promise<void>;
}

export async function startCuttingProxy(targetHost: string, targetPort: number): Promise<CuttingProxy> {
  let cut: number | null = null;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const limit = cut;
    const upstream = connect(targetPort, targetHost);
    sockets.add(client);
    sockets.add(upstream);
    let sent = 0;
    client.on('data', (data) => upstream.write(data));
    upstream.on('data', (data: Buffer) => {
      if (limit !== null && sent + data.length >= limit) {
        client.write(data.subarray(0, Math.max(0, limit - sent)));
        client.destroy();
        upstream.destroy();
        return;
      }
      sent += data.length;
      client.write(data);
    });
    const end = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end);
    upstream.on('close', end);
    client.on('error', end);
    upstream.on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    setCut(value) {
      cut = value;
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
