// The adapters' half in the inference worker: fits a new head on the user's labelled posts (the crate's
// `Analyzer.adapt`, crate/src/adapt) and switches the analyzer every text goes through between the model's own
// head and an adapter's. The page (teach.js) keeps the labels and the adapters; nothing here outlives the page.
//
// Messages in:  { type: "teach-adapt", id, texts, labels }     fit on the model as loaded, whatever head is in use
//               { type: "teach-use", id, adapter }            adapter: { json, weights } (its two files' bytes),
//                                                             or null for the model's own head
// Messages out: { type: "teach-adapted", id, report, adapter }   adapter: the files, or null when not kept
//               { type: "teach-adapted", id, error }
//               { type: "teach-using", id, adapted (whether an adapter's head is in use), reanalysing }
//               { type: "teach-using", id, error }            (the head in use is unchanged)

// Handles one of the messages above. `base`: the model as loaded; `use(analyzer)` makes `analyzer` the one every
// text goes through and returns whether the many-texts view's posts are being analysed again.
export async function handleTeach({ base, use }, data) {
  switch (data.type) {
    case "teach-adapt":
      try {
        const { analyzer, report, adapter } = await base.adapt(data.texts, data.labels);
        analyzer.free(); // the page applies the adapter's files, so that what it stores is what runs
        postMessage({ type: "teach-adapted", id: data.id, report, adapter });
      } catch (error) {
        postMessage({ type: "teach-adapted", id: data.id, error: error.message });
      }
      break;
    case "teach-use":
      try {
        const analyzer = data.adapter === null ? base : base.withAdapter(data.adapter);
        const reanalysing = use(analyzer);
        postMessage({ type: "teach-using", id: data.id, adapted: analyzer !== base, reanalysing });
      } catch (error) {
        postMessage({ type: "teach-using", id: data.id, error: error.message });
      }
      break;
    default:
      console.warn(`worker.js: unknown message type ${JSON.stringify(data.type)}`);
  }
}
