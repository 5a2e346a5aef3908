import net from 'node:net';

// Ports handed out by this process: never hand the same one out twice (the OS may offer a just-closed port again).
const given = new Set<number>();

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/**
 * A port free right now and distinct from every other port this process got. Picked below the Linux ephemeral range
 * (32768+), so the dev server's own ephemeral picks for its internal services cannot land on it before it is bound.
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (given.has(port)) continue;
    if (await canListen(port)) {
      given.add(port);
      return port;
    }
  }
  throw new Error('no free port found in 20000-31999 after 200 tries');
}
