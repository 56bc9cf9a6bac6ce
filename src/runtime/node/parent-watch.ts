/**
 * Makes sure a runtime process does not outlive the service that spawned it, even when the
 * service dies without closing the Runtime API cleanly (SIGKILL).
 */
import { fstatSync } from 'node:fs';

const PARENT_POLL_MS = 500;

/**
 * Calls `onGone` once the parent is gone: its end of our stdin pipe closes, or it no longer
 * exists. Neither watch keeps the event loop alive, so 'beforeExit' still fires.
 */
export function watchParent(onGone: () => void): void {
  // Node 20's process.ppid is read once at start-up, so re-parenting would go unseen;
  // signal 0 asks the kernel whether the original parent still exists.
  const parent = process.ppid;
  setInterval(() => {
    try {
      process.kill(parent, 0);
    } catch {
      onGone();
    }
  }, PARENT_POLL_MS).unref();

  // A terminal or /dev/null on stdin says nothing about the parent; only a pipe does.
  if (!stdinIsPipe()) return;
  process.stdin.on('end', onGone).on('error', onGone).resume();
  process.stdin.unref();
}

function stdinIsPipe(): boolean {
  try {
    const stat = fstatSync(0);
    return stat.isFIFO() || stat.isSocket();
  } catch {
    return false; // stdin closed at spawn
  }
}
