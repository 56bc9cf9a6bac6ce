import type { CodeStore } from '../../lambda/code-store.js';
import type { Invoker } from '../../lambda/invoke/invoker.js';
import type { EventQueue } from '../../lambda/invoke/event-queue.js';
import type { LogStore } from '../../lambda/invoke/log-store.js';
import type { FunctionStore } from '../../lambda/store/function-store.js';

/** What the Lambda API handlers work with. */
export interface LambdaApiDeps {
  store: FunctionStore;
  code: CodeStore;
  invoker: Invoker;
  events: EventQueue;
  logs: LogStore;
}
