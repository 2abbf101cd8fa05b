/**
 * The hook src/api's typed `invoke` calls for every IAM and STS call, whichever door it came
 * through: the query API, the portal or the console.
 */
import { apiEvent, isReadOnly, type ApiCallFacts } from './api-event.js';
import type { AuditRecorder } from './recorder.js';
import type { Redactor } from './secrets.js';
import type { WriteHook } from '../store/index.js';

export interface ApiAudit {
  /**
   * Runs a call with its event: IAM writes in the write's transaction (`run` gets the write hook
   * and runs the action over `store.withWriteHook(hook)`), the rest queued.
   */
  call<T>(facts: ApiCallFacts, run: (hook?: WriteHook) => Promise<T>): Promise<T>;
}

export function apiAudit(recorder: AuditRecorder, redactor: Redactor): ApiAudit {
  return {
    call: (facts, run) => {
      const write = facts.service === 'iam' && !isReadOnly('iam', facts.action);
      // Only STS events use the output (responseElements, secrets removed).
      return recorder.apiCall(write, (outcome) => apiEvent(facts, outcome, redactor), run, { output: facts.service === 'sts' });
    },
  };
}
