/**
 * Preloaded into the Gatehouse child of the portal benchmark (`node --import <this> …`): a CPU
 * profile of one chosen stretch of the run, not of start-up or of the measured runs (the sampling
 * profiler costs a little CPU, so the measured figures are taken without it).
 * The first SIGUSR2 starts V8's sampling profiler (in-process inspector session); the second
 * stops it and writes the profile to $BENCH_CPU_PROFILE (written to a temp name, then renamed,
 * so the file appears complete).
 */
import { renameSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

const out = process.env.BENCH_CPU_PROFILE;
if (out) {
  let session: Session | undefined;
  process.on('SIGUSR2', () => {
    if (!session) {
      const s = (session = new Session());
      s.connect();
      s.post('Profiler.enable', () => s.post('Profiler.setSamplingInterval', { interval: 500 }, () => s.post('Profiler.start')));
      return;
    }
    const s = session;
    session = undefined;
    s.post('Profiler.stop', (err, result) => {
      const body = err ? JSON.stringify({ error: String(err) }) : JSON.stringify(result.profile);
      writeFileSync(`${out}.tmp`, body);
      renameSync(`${out}.tmp`, out);
      s.disconnect();
    });
  });
}
