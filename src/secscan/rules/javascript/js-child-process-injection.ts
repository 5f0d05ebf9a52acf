import { exec as run } from "node:child_process";
import * as child from "child_process";

export function ping(host: string): void {
  // ruleid: js-child-process-injection
  run(`ping -c 1 ${host}`);
}

export function du(path: string): Buffer {
  // ruleid: js-child-process-injection
  return child.execSync("du -sh " + path);
}

export function uptime(): Buffer {
  // ok: js-child-process-injection
  return child.execSync("uptime");
}

export function spawnSafe(host: string): void {
  // ok: js-child-process-injection
  child.spawn("ping", ["-c", "1", host]);
}
