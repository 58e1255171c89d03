// Timers and clock under the test's control: advance(ms) runs what falls due, in order.
export function fakeTime() {
  let now = 0;
  let id = 0;
  const jobs = new Map();
  return {
    now: () => now,
    setTimeout: (fn, ms) => (jobs.set(++id, { fn, at: now + ms }), id),
    clearTimeout: (i) => jobs.delete(i),
    setInterval: (fn, ms) => (jobs.set(++id, { fn, at: now + ms, every: ms }), id),
    clearInterval: (i) => jobs.delete(i),
    advance(ms) {
      const end = now + ms;
      for (;;) {
        const due = [...jobs.entries()].filter(([, j]) => j.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        const [key, job] = due;
        now = job.at;
        if (job.every) job.at += job.every;
        else jobs.delete(key);
        job.fn();
      }
      now = end;
    },
  };
}
