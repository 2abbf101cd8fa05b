/**
 * The dispatcher's hook with metrics: counts and times every API call, then hands it to the
 * audit trail's hook (when auditing is on).
 */
import type { ApiAudit } from '../audit/api-audit.js';
import type { Metrics } from './index.js';

export function observeApi(metrics: Metrics, known: (service: string, action: string) => boolean, inner?: ApiAudit): ApiAudit {
  return {
    async call(facts, run) {
      // Only real action names become labels (the Action parameter is the caller's to choose).
      const action = known(facts.service, facts.action) ? facts.action : '(unknown)';
      const started = process.hrtime.bigint();
      const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
      try {
        const result = inner ? await inner.call(facts, run) : await run();
        metrics.apiCall(facts.service, action, seconds());
        return result;
      } catch (err) {
        const e = err as { code?: unknown; status?: unknown };
        metrics.apiCall(facts.service, action, seconds(), typeof e.code === 'string' && typeof e.status === 'number' ? e.code : 'InternalFailure');
        throw err;
      }
    },
  };
}
