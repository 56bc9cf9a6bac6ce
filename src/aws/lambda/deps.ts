import type { CodeStore } from '../../lambda/code-store.js';
import type { Invoker } from '../../lambda/invoke/invoker.js';
import type { EventQueue } from '../../lambda/invoke/event-queue.js';
import type { FunctionStore } from '../../lambda/store/function-store.js';
import type { InvocationLogs } from '../../logs/invocations.js';
import type { FunctionPolicyStore } from '../../lambda/store/policy-store.js';
import type { Sts } from '../sts/index.js';
import type { CodeUrls } from './code-url.js';

/** What the Lambda API handlers work with. */
export interface LambdaApiDeps {
  store: FunctionStore;
  code: CodeStore;
  invoker: Invoker;
  events: EventQueue;
  /** What `pglambda logs` reads: a function's recent invocations from its log group. */
  logs: InvocationLogs;
  sts: Sts;
  /** False only when IAM enforcement was switched off explicitly. */
  enforceIam: boolean;
  /** Resource-based policies (AddPermission); the authorizer reads them too. */
  policies: FunctionPolicyStore;
  /** Presigns and checks GetFunction's Code.Location. */
  codeUrls: CodeUrls;
}
