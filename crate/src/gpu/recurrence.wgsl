// What every recurrence shader shares (lstm_step, lstm_persistent, gru_step, gru_persistent): the call's shape, a
// uniform the crate writes once per call. The crate prepends this file, after activation.wgsl, then per_step.wgsl
// or persistent.wgsl, to each.

// `reset_after` is a GRU's convention (gru.wgsl); an LSTM's is 0 and unread.
struct Shape {
    batch: u32,
    steps: u32,
    hidden: u32,
    reset_after: u32,
}
