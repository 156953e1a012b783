/** Worker thread of src/cli/pool.ts: runs tensor tasks (src/cli/tensor-tasks.ts) one at a time. */
import { parentPort } from 'node:worker_threads';
import { runTensorTask, transferList, type TensorTask } from '../tensor-tasks.js';

const port = parentPort!;
port.on('message', (task: TensorTask) => {
  try {
    const result = runTensorTask(task);
    port.postMessage({ ok: true, result }, transferList(result));
  } catch (e) {
    const err = e instanceof Error ? e : new Error(String(e));
    port.postMessage({ ok: false, error: { name: err.name, message: err.message, stack: err.stack } });
  }
});
