// ONNX Runtime (CPU) forward timings for the same models and batch sizes as `lumen bench`, one JSON line each.
// Usage: [ORT_THREADS=n] [ORT_ITERATIONS=n] node ort-bench.mjs MODEL.onnx [batch …]   (npm install --ignore-scripts first; 2 threads by default)
import * as ort from 'onnxruntime-node';

const [model, ...batchArgs] = process.argv.slice(2);
const batches = batchArgs.length ? batchArgs.map(Number) : [1];
const iterations = Number(process.env.ORT_ITERATIONS ?? 5);   // timed rounds after one warm-up call
const threads = Number(process.env.ORT_THREADS ?? 2);   // intra-op threads (ORT_THREADS=1 for single-thread ratios)
const session = await ort.InferenceSession.create(model, { intraOpNumThreads: threads, interOpNumThreads: 1 });
const inputName = session.inputNames[0];
const meta = session.inputMetadata?.[0];
const dims = meta?.shape ?? [1, 3, 224, 224];
const fixedBatch = typeof dims[0] === 'number' ? dims[0] : null;
const name = model.split('/').pop().replace(/\.onnx$/, '');
for (const batch of batches) {
  // A model whose batch is fixed at 1 runs `batch` single-image calls (ORT cannot change a fixed dimension).
  const perCall = fixedBatch === 1 ? 1 : batch;
  const calls = fixedBatch === 1 ? batch : 1;
  const shape = [perCall, ...dims.slice(1).map(d => (typeof d === 'number' ? d : 1))];
  const size = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(size).map(() => Math.random());
  const type = meta?.type === 'float16' ? 'float16' : 'float32';
  const feed = { [inputName]: type === 'float16' ? new ort.Tensor('float16', Uint16Array.from(data, () => 0x3c00), shape) : new ort.Tensor('float32', data, shape) };
  await session.run(feed);
  const times = [];
  for (let i = 0; i < iterations; i++) {
    const start = process.hrtime.bigint();
    for (let c = 0; c < calls; c++) await session.run(feed);
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  console.log(JSON.stringify({ engine: 'onnxruntime', model: name, batch, threads, median_ms: +times[iterations >> 1].toFixed(2), min_ms: +times[0].toFixed(2), calls }));
}
