/**
 * Keeps better-sqlite3 objects reachable for the life of the process.
 *
 * On Node 24.19 and later, `node::ObjectWrap`'s destructor removes an environment cleanup hook
 * and aborts the process when it runs with no environment current, which is the case when V8
 * garbage-collects an object outside JavaScript (nodejs/node#65446). better-sqlite3 12 (the
 * last major that runs on Node 20) builds `Database` and `Statement` on that class, so a
 * collected statement can abort the server at any moment. Nothing we create is therefore ever
 * left for the collector: statements are prepared once and kept (their SQL is static, so they
 * are few), databases are kept after `close()` (a closed one holds no file and little memory),
 * and one-off pragmas go through `exec`, which creates no JavaScript object.
 */
const kept: unknown[] = [];

/** Keeps `object` reachable until the process exits, and returns it. */
export function keepAlive<T>(object: T): T {
  kept.push(object);
  return object;
}
