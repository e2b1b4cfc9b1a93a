// An allocation probe to preload into a server (`node --import scripts/bench/memory/alloc-probe.mjs ...`): V8's
// sampling heap profiler, keeping the samples of objects that a full (mark-compact) GC collects but dropping those
// a scavenge collects. So what it reports is what lived long enough to be promoted to the old generation, live or
// dead: the garbage that stays in RSS until the next full GC. SIGUSR2 writes the samples since the previous
// SIGUSR2 (or the start) to ALLOC_PROBE_DIR (default the working directory) as `alloc-PID-N.heapprofile` and
// starts again. Only for measurements; nothing in the product loads it.
import fs from 'node:fs';
import inspector from 'node:inspector';
import path from 'node:path';

const dir = process.env.ALLOC_PROBE_DIR || process.cwd();
const session = new inspector.Session();
session.connect();
session.post('HeapProfiler.enable');
const start = () =>
  session.post('HeapProfiler.startSampling', { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: false });
start();
let n = 0;
process.on('SIGUSR2', () => {
  session.post('HeapProfiler.stopSampling', (err, r) => {
    if (!err) fs.writeFileSync(path.join(dir, `alloc-${process.pid}-${++n}.heapprofile`), JSON.stringify(r.profile));
    start();
  });
});
