/**
 * The functions' own record of what ran, set against what the callers heard: the files each handler
 * appends its event's id to, once per execution.
 */
import { readFileSync } from 'node:fs';
import { executionsFile } from './functions.js';
import { KINDS, SYNC_KINDS, type Kind } from './settings.js';
import type { Tally } from './sessions.js';

/** Executions of each id, by kind. */
export type Executions = Record<Kind, Map<string, number>>;

export function readExecutions(dir: string): Executions {
  const out = {} as Executions;
  for (const kind of KINDS) {
    const counts = new Map<string, number>();
    let text = '';
    try {
      text = readFileSync(executionsFile(dir, kind), 'utf8');
    } catch {
      // nothing ran yet
    }
    for (const id of text.split('\n')) if (id) counts.set(id, (counts.get(id) ?? 0) + 1);
    out[kind] = counts;
  }
  return out;
}

export interface SyncCheck {
  kind: Kind;
  executions: number;
  /** Ids that ran more than once: each a synchronous call executed twice. */
  duplicates: string[];
  /** Calls answered as expected whose execution the function never recorded. */
  unrecorded: string[];
  /** Executions whose caller heard something else (a broken connection at the kill, say). */
  unanswered: number;
}

export function checkSync(ran: Executions, tallies: Tally[]): SyncCheck[] {
  return SYNC_KINDS.map((kind) => {
    const counts = ran[kind];
    const heard = new Set(tallies.flatMap((t) => [...t.heard[kind]]));
    return {
      kind,
      executions: [...counts.values()].reduce((a, b) => a + b, 0),
      duplicates: [...counts].filter(([, n]) => n > 1).map(([id]) => id),
      unrecorded: [...heard].filter((id) => !counts.has(id)),
      unanswered: [...counts.keys()].filter((id) => !heard.has(id)).length,
    };
  });
}

export interface EventsCheck {
  /** Accepted (202), by phase prefix. */
  accepted: Record<string, number>;
  /** Accepted events never recorded as run: lost. */
  lost: string[];
  /** Ids run more than once, by phase prefix: at-least-once delivery, expected only around the kill. */
  duplicates: Record<string, string[]>;
  /** Events run whose caller never heard 202 (its connection broke at the kill). */
  unanswered: number;
  executions: number;
}

export function checkEvents(ran: Executions, tallies: Record<string, Tally>): EventsCheck {
  const counts = ran.event;
  const accepted: Record<string, number> = {};
  const duplicates: Record<string, string[]> = {};
  const lost: string[] = [];
  const heard = new Set<string>();
  for (const [phase, t] of Object.entries(tallies)) {
    accepted[phase] = t.heard.event.size;
    duplicates[phase] = [];
    for (const id of t.heard.event) {
      heard.add(id);
      if (!counts.has(id)) lost.push(id);
    }
  }
  for (const [id, n] of counts) if (n > 1) duplicates[id.slice(0, 1)]?.push(id);
  return {
    accepted,
    lost,
    duplicates,
    unanswered: [...counts.keys()].filter((id) => !heard.has(id)).length,
    executions: [...counts.values()].reduce((a, b) => a + b, 0),
  };
}

/** Whether every accepted Event has run at least once. */
export function allEventsRan(dir: string, tallies: Tally[]): boolean {
  const counts = readExecutions(dir).event;
  return tallies.every((t) => [...t.heard.event].every((id) => counts.has(id)));
}
