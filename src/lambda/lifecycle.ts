/**
 * Lambda's function states (lambda-wire §9.2): a function just created is Pending and one just
 * updated InProgress, then Active / Successful under a new RevisionId. pglambda's functions are
 * ready as soon as they are stored, so the window only lets waiters and tools that poll see what
 * they see on AWS; it is kept short and nothing is refused during it (AWS refuses an Invoke while
 * Pending and another update while InProgress, which would only slow local work down).
 */
import { randomUUID } from 'node:crypto';
import type { FunctionConfig, Transition } from './model.js';

export const TRANSITION_MS = 300;

export function beginTransition(kind: Transition['kind'], now = Date.now()): Transition {
  return { kind, until: now + TRANSITION_MS, revisionId: randomUUID() };
}

/** The transition still under way, if any. */
export function ongoingTransition(c: FunctionConfig, now = Date.now()): Transition | undefined {
  return c.transition && now < c.transition.until ? c.transition : undefined;
}

/** The RevisionId the configuration shows now, which a request's RevisionId must match. */
export function currentRevision(c: FunctionConfig, now = Date.now()): string {
  return ongoingTransition(c, now)?.revisionId ?? c.revisionId;
}

/** A configuration as a published version keeps it: versions are Active from the start. */
export function settled<T extends FunctionConfig>(c: T): T {
  const copy = { ...c };
  delete copy.transition;
  return copy;
}
