/**
 * Why a bind failed, when uWS only says that it did.
 *
 * @module
 */
import net from "node:net";

/**
 * Tries the same bind with `node:net` (exclusive, closed at once) and
 * returns the system's error code. Asked after uWS's bind has failed, so it
 * only diagnoses: it never decides whether upie listens. If the other holder
 * let go in between, the probe binds and the reason stays unknown.
 *
 * @param host - the address uWS could not bind.
 * @param port - the port uWS could not bind.
 * @returns the errno name (`EADDRINUSE`, `EACCES`, `EADDRNOTAVAIL`, …), or undefined.
 */
export function bindFailure(host: string, port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once("error", (error: NodeJS.ErrnoException) => resolve(error.code));
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve(undefined)));
  });
}
