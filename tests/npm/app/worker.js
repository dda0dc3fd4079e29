import { load } from "sentir";
import { summary } from "./summary.js";

const analyzer = load();
self.onmessage = async ({ data }) => {
  try {
    postMessage(summary(await (await analyzer).analyze(data)));
  } catch (error) {
    postMessage({ error: error.message });
  }
};
