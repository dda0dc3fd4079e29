// ONNX Runtime Web running the same LSTM, exported to ONNX from PyTorch by bench/export-onnx.py.
// Built twice by the harness: with "onnxruntime-web/wasm" and with "onnxruntime-web/webgpu".
import * as ort from "onnxruntime-web";
import { lastStepPositive } from "./safetensors.js";

export async function load(backend, model) {
  ort.env.wasm.numThreads = 1; // sentir runs on one thread; the page is not cross-origin isolated anyway
  ort.env.wasm.wasmPaths = "/bench/node_modules/onnxruntime-web/dist/";
  const config = await (await fetch(`${model}config.json`)).json();
  const session = await ort.InferenceSession.create(`/bench/build/${config.name}.onnx`, {
    executionProviders: [backend],
    graphOptimizationLevel: "all",
  });
  const labels = config.labels.length;
  const positive = config.labels.indexOf(config.positive_label);
  return {
    backend,
    async run({ ids }) {
      const [batch, time] = [ids.length, ids[0].length];
      const input = new ort.Tensor("int64", BigInt64Array.from(ids.flat(), BigInt), [batch, time]);
      const { logits } = await session.run({ ids: input });
      const data = await logits.getData();
      logits.dispose();
      return lastStepPositive(data, batch, time, labels, positive);
    },
  };
}
