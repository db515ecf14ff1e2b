// ONNX Runtime (CPU) time of each convolution of a model, from ORT's own node profiler, one JSON line per Conv node
// in execution order: {"engine":"onnxruntime","op":"Conv","input":[…],"weight":[…],"output":[…],"us":median}. ORT fuses
// the following activation (and MobileNetV2's residual Add) into its Conv nodes, so their time is included.
// ORT_OPS=all lists every node (pooling, concatenation, its layout reorders…), not only the convolutions.
// Usage: [ORT_THREADS=n] [ORT_OPS=all] node ort-layers.mjs MODEL.onnx [batch] > ort-layers.jsonl   (1 thread by default)
import * as ort from 'onnxruntime-node';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [model, batchArg] = process.argv.slice(2);
const batch = Number(batchArg ?? 1);
const threads = Number(process.env.ORT_THREADS ?? 1);
const allOps = process.env.ORT_OPS === 'all';
const runs = 40;
const dir = mkdtempSync(join(tmpdir(), 'ort-layers-'));
const session = await ort.InferenceSession.create(model, { intraOpNumThreads: threads, interOpNumThreads: 1, enableProfiling: true, profileFilePrefix: join(dir, 'profile') });
const meta = session.inputMetadata?.[0];
const dims = meta?.shape ?? [1, 3, 224, 224];
const shape = [typeof dims[0] === 'number' ? dims[0] : batch, ...dims.slice(1).map(d => (typeof d === 'number' ? d : 1))];
const data = new Float32Array(shape.reduce((a, b) => a * b, 1)).map(() => Math.random());
const feed = { [session.inputNames[0]]: new ort.Tensor('float32', data, shape) };
for (let i = 0; i < runs; i++) await session.run(feed);
await session.endProfiling();   // writes profile_<timestamp>.json into dir (the binding returns no name)
const events = JSON.parse(readFileSync(join(dir, readdirSync(dir).find(f => f.endsWith('.json'))), 'utf8'));
rmSync(dir, { recursive: true, force: true });
const byNode = new Map();   // node name → its kernel times, in first-execution order
for (const e of events) {
  if (e.cat !== 'Node' || !e.name.endsWith('_kernel_time') || (!allOps && e.args?.op_name !== 'Conv')) continue;
  if (!byNode.has(e.name)) byNode.set(e.name, { args: e.args, times: [] });
  byNode.get(e.name).times.push(e.dur);
}
for (const { args, times } of byNode.values()) {
  const warm = times.slice(5).sort((a, b) => a - b);
  const shapes = args.input_type_shape.map(s => s.float ?? Object.values(s)[0]);
  console.log(JSON.stringify({ engine: 'onnxruntime', op: args.op_name, threads, input: shapes[0], weight: shapes[1], output: Object.values(args.output_type_shape[0] ?? {})[0], us: warm[warm.length >> 1] }));
}
