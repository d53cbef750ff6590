/**
 * Socket.IO 4 on `node:http`, as its docs write it: one namespace, `emit` for
 * echo, rooms (`socket.join`, `io.to(room).emit`) for fan-out. The bench
 * client speaks its wire protocol (Engine.IO 4 over a WebSocket: `40` to
 * connect, `42["m",…]` events, pongs to its pings), so the same raw-frame
 * generator drives it. The handshake query's `role` picks echo, sub or pub.
 *
 * Socket.IO takes part in the WebSocket scenarios only.
 *
 * @module
 */
import { createServer } from "node:http";
import { Server } from "socket.io";
import { HOST, PORT, ROOM, announce, exitOnSignal } from "./shared.js";

const httpServer = createServer();
const io = new Server(httpServer, { serveClient: false });

io.on("connection", (socket) => {
  const role = socket.handshake.query.role;
  if (role === "sub") {
    void socket.join(ROOM);
  } else if (role === "pub") {
    socket.on("m", (data: unknown) => io.to(ROOM).emit("m", data));
  } else {
    socket.on("m", (data: unknown) => socket.emit("m", data));
  }
});

exitOnSignal();
httpServer.listen(PORT, HOST, () => {
  const address = httpServer.address();
  announce(typeof address === "object" && address !== null ? address.port : PORT);
});
