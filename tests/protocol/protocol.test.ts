/**
 * lib/protocol/protocol.ts is types only: what an adapter and the core may
 * hand each other. `npm test` type-checks this file (`tsc --noEmit` over
 * tests/), so each `@ts-expect-error` below is a shape the protocol must
 * refuse, and each `satisfies` one it must accept; the runtime part drives
 * a minimal channel through those types.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type {
  Channel, HttpResponseStartEvent, HttpScope, ReceiveEvent, ResponseHeaders, Scope, SendEvent, WebSocketChannel, WebSocketEndpoint, WebSocketScope,
} from "../../lib/protocol/protocol.js";

/** Names every receive event; the `never` fails to compile if the union gains a member this does not handle. */
function describeReceive(event: ReceiveEvent): string {
  switch (event.type) {
    case "http.request": return `${event.body.byteLength} bytes${event.more ? ", more" : ""}`;
    case "http.disconnect": return "gone";
    case "websocket.receive": return event.text ?? `${event.bytes?.byteLength ?? 0} binary bytes`;
    case "websocket.drain": return "drain";
    case "websocket.ping": return "ping";
    case "websocket.disconnect": return `closed ${event.code} ${event.reason}`;
    default: {
      const unhandled: never = event;
      return unhandled;
    }
  }
}

/** The same for send events. */
function describeSend(event: SendEvent): string {
  switch (event.type) {
    case "http.response.start": return `${event.status} (${event.length ?? "streamed"})`;
    case "http.response.body": return `body${event.more ? ", more" : ""}`;
    case "websocket.accept": return `accept ${event.subprotocol ?? ""}`.trim();
    case "websocket.send": return event.text ?? "bytes";
    case "websocket.close": return `close ${event.code}${event.abort === true ? " now" : ""}`;
    case "websocket.http.response": return `refuse ${event.status}`;
    case "websocket.subscribe":
    case "websocket.unsubscribe": return `${event.type.slice(10)} ${event.topic}`;
    default: {
      const unhandled: never = event;
      return unhandled;
    }
  }
}

const httpScope = { type: "http", method: "GET", path: "/a%20b", rawQuery: "x=1", headers: { host: "x" }, client: "127.0.0.1" } satisfies HttpScope;
const wsScope = { ...httpScope, type: "websocket", subprotocols: ["chat"] } satisfies WebSocketScope;
const start = { type: "http.response.start", status: 200, headers: { "set-cookie": ["a=1", "b=2"] }, length: null } satisfies HttpResponseStartEvent;

// @ts-expect-error a scope says which kind it is
const untyped: HttpScope = { method: "GET", path: "/", rawQuery: "", headers: {}, client: "" };
// @ts-expect-error there are only http and websocket scopes
const sse: Scope = { ...httpScope, type: "sse" };
// @ts-expect-error a WebSocket scope lists the offered subprotocols
const noSubprotocols: WebSocketScope = { ...httpScope, type: "websocket" };
// @ts-expect-error request header values are joined strings, never lists
const listedHeader: HttpScope = { ...httpScope, headers: { cookie: ["a=1", "b=2"] } };
// @ts-expect-error response header values are strings or lists of strings
const numericHeader: ResponseHeaders = { "content-length": 5 };
// @ts-expect-error the start event carries the framing: its length, or null for a stream
const unframed: HttpResponseStartEvent = { type: "http.response.start", status: 200, headers: {} };
// @ts-expect-error what the client sent is received, never sent
const sentReceive: SendEvent = { type: "websocket.receive", text: "hi" };
// @ts-expect-error what the core writes is sent, never received
const receivedBody: ReceiveEvent = { type: "http.response.body", body: "", more: false };
// @ts-expect-error a disconnect says how the peer closed
const codeless: ReceiveEvent = { type: "websocket.disconnect", reason: "" };
// @ts-expect-error subscriptions only subscribe and unsubscribe
const published: SendEvent = { type: "websocket.publish", topic: "t" };
void [untyped, sse, noSubprotocols, listedHeader, numericHeader, unframed, sentReceive, receivedBody, codeless, published];

describe("the adapter protocol", () => {
  it("narrows every receive event by its type", () => {
    assert.deepEqual(
      ([
        { type: "http.request", body: new Uint8Array(3), more: true },
        { type: "http.disconnect" },
        { type: "websocket.receive", text: "hi" },
        { type: "websocket.receive", bytes: new Uint8Array(2), size: 2 },
        { type: "websocket.drain" },
        { type: "websocket.ping" },
        { type: "websocket.disconnect", code: 1001, reason: "bye" },
      ] satisfies ReceiveEvent[]).map(describeReceive),
      ["3 bytes, more", "gone", "hi", "2 binary bytes", "drain", "ping", "closed 1001 bye"],
    );
  });

  it("lets a channel answer synchronously or with a promise, and records what it was sent", async () => {
    const sent: string[] = [];
    const channel: Channel = {
      receive: async () => ({ type: "http.request", body: new Uint8Array(0), more: false }),
      send(event) {
        sent.push(describeSend(event));
        if (event.type === "http.response.body" && event.more) return Promise.resolve(); // backpressure: wait
      },
    };
    assert.equal(channel.send(start), undefined, "taken synchronously");
    assert.ok(channel.send({ type: "http.response.body", body: "a", more: true }) instanceof Promise);
    await channel.send({ type: "http.response.body", body: new Uint8Array(1), more: false });
    assert.deepEqual(sent, ["200 (streamed)", "body, more", "body"]);
    assert.deepEqual(describeReceive(await channel.receive()), "0 bytes");
    assert.equal(httpScope.type, "http");
    assert.deepEqual(wsScope.subprotocols, ["chat"]);
  });

  it("lets a WebSocket channel push every event to the endpoint it is attached to", () => {
    const delivered: string[] = [];
    const written: string[] = [];
    let attached: WebSocketEndpoint | undefined;
    const channel: WebSocketChannel = {
      attach(endpoint) { attached = endpoint; },
      send(event) { written.push(describeSend(event)); },
      bufferedAmount: 0,
      done() { attached = undefined; },
    };
    // @ts-expect-error bufferedAmount is the adapter's to report, not the core's to set
    channel.bufferedAmount = 5;
    channel.attach({
      deliver: (event) => void delivered.push(describeReceive(event)),
      checkSubscriber: () => void delivered.push("check"),
      shutdown: (code, reason) => void delivered.push(`shutdown ${code} ${reason}`),
    });
    attached!.deliver({ type: "websocket.receive", text: "hello" });
    attached!.checkSubscriber();
    attached!.shutdown(1001, "restarting");
    for (const event of [
      { type: "websocket.accept", subprotocol: "chat" },
      { type: "websocket.subscribe", topic: "room" },
      { type: "websocket.unsubscribe", topic: "room" },
      { type: "websocket.send", text: "hi" },
      { type: "websocket.close", code: 1008, abort: true },
      { type: "websocket.http.response", status: 403 },
    ] satisfies SendEvent[]) void channel.send(event);
    channel.done();
    assert.deepEqual(delivered, ["hello", "check", "shutdown 1001 restarting"]);
    assert.deepEqual(written, ["accept chat", "subscribe room", "unsubscribe room", "hi", "close 1008 now", "refuse 403"]);
    assert.equal(attached, undefined);
  });
});
