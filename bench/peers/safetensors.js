// Reads a safetensors file (little-endian f32 tensors only, as format v1 has) into { name: { shape, data } }.
export function readSafetensors(buffer) {
  const view = new DataView(buffer);
  const headerLength = Number(view.getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(new Uint8Array(buffer, 8, headerLength)));
  const tensors = {};
  for (const [name, { dtype, shape, data_offsets: [begin, end] }] of Object.entries(header)) {
    if (name === "__metadata__") continue;
    if (dtype !== "F32") throw new Error(`${name}: dtype ${dtype}, only F32 is read here`);
    tensors[name] = { shape, data: new Float32Array(buffer.slice(8 + headerLength + begin, 8 + headerLength + end)) };
  }
  return tensors;
}

// The positive-class probability after the last step of each text, from logits [batch, time, labels].
export function lastStepPositive(logits, batch, time, labels, positive) {
  const out = [];
  for (let b = 0; b < batch; b++) {
    const row = (b * time + time - 1) * labels;
    const max = Math.max(...logits.slice(row, row + labels));
    let sum = 0;
    for (let k = 0; k < labels; k++) sum += Math.exp(logits[row + k] - max);
    out.push(Math.exp(logits[row + positive] - max) / sum);
  }
  return out;
}
