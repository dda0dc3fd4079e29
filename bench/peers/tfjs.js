// TensorFlow.js (layers API) running the same weights as sentir: the safetensors file converted in the page, the
// way a TF.js user would build an Embedding + LSTM + Dense model from weights they already have.
import * as tf from "@tensorflow/tfjs";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import { lastStepPositive, readSafetensors } from "./safetensors.js";

export async function load(backend, model) {
  setWasmPaths("/bench/node_modules/@tensorflow/tfjs-backend-wasm/dist/");
  if (!(await tf.setBackend(backend))) throw new Error(`TensorFlow.js backend ${backend} did not initialise`);
  await tf.ready();
  const config = await (await fetch(`${model}config.json`)).json();
  const weights = readSafetensors(await (await fetch(`${model}${config.weights}`)).arrayBuffer());
  const tensor = (name) => tf.tensor(weights[name].data, weights[name].shape);
  const labels = config.labels.length;

  const net = tf.sequential();
  net.add(tf.layers.embedding({ inputDim: config.vocab_size, outputDim: config.embedding_size, inputShape: [null] }));
  for (let l = 0; l < config.num_layers; l++) {
    // Keras stacks the gates [i, f, c, o] like PyTorch, with kernels transposed and one bias.
    const lstm = tf.layers.lstm({ units: config.hidden_size, returnSequences: true, recurrentActivation: "sigmoid" });
    net.add(lstm);
  }
  net.add(tf.layers.dense({ units: labels }));
  net.layers[0].setWeights([tensor("embedding.weight")]);
  for (let l = 0; l < config.num_layers; l++) {
    net.layers[1 + l].setWeights([
      tensor(`lstm.${l}.weight_ih`).transpose(), tensor(`lstm.${l}.weight_hh`).transpose(), tensor(`lstm.${l}.bias`),
    ]);
  }
  net.layers[1 + config.num_layers].setWeights([tensor("head.weight").transpose(), tensor("head.bias")]);
  const positive = config.labels.indexOf(config.positive_label);

  return {
    backend: tf.getBackend(),
    // All texts of a batch have the same number of tokens here.
    async run({ ids }) {
      const [batch, time] = [ids.length, ids[0].length];
      const logits = tf.tidy(() => net.predict(tf.tensor2d(ids.flat(), [batch, time], "int32")));
      const data = await logits.data();
      logits.dispose();
      return lastStepPositive(data, batch, time, labels, positive);
    },
  };
}
