/** A no-op activity: measures the scheduling round trip through the server and a worker. */
export async function ping(n: number): Promise<number> {
  return n;
}
