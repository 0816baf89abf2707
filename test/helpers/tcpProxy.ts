/**
 * A TCP proxy on 127.0.0.1 in front of a server (PostgreSQL), for partition tests: `cut()`
 * turns it into a black hole (connections stay open, nothing passes either way, new ones are
 * accepted and starved), which is how a network partition looks to a client: no error, just
 * silence until its own timeout. `heal()` lets new connections through again.
 */
import { connect, createServer, type Server, type Socket } from "node:net";

export interface TcpProxy {
  readonly port: number;
  cut(): void;
  heal(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  let open = true;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    sockets.add(client);
    client.on("close", () => sockets.delete(client));
    client.on("error", () => undefined);
    if (!open) {
      client.pause();
      return;
    }
    const upstream = connect(targetPort, "127.0.0.1");
    sockets.add(upstream);
    upstream.on("close", () => sockets.delete(upstream));
    upstream.on("error", () => client.destroy());
    client.on("data", (chunk) => {
      if (open) upstream.write(chunk);
    });
    upstream.on("data", (chunk) => {
      if (open) client.write(chunk);
    });
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    port,
    cut: () => {
      open = false;
    },
    heal: () => {
      open = true;
      // Connections starved during the cut are dropped; clients reconnect through the healed proxy.
      for (const s of sockets) s.destroy();
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
