// What the two products over every step of every text, project.wgsl and head.wgsl, share (the crate prepends this
// file to both): their shape, their weights and biases (bindings 0, 3 and 4; each declares its input at 1 and 2 and
// its output at 5), and the flat index of an invocation over a 2-D grid of workgroups.

// The call's shape, a uniform the crate writes once per call: `batch` texts of `steps` steps, each step's output
// `rows` values (the gates' rows; the labels) from `inputs` values (an embedding row or the states below; the top
// layer's states). `from_ids`, the projection's only: 1, a step's input is the source row ids[b, t]; 0, the row
// b · steps + t.
struct Shape {
    batch: u32,
    steps: u32,
    rows: u32,
    inputs: u32,
    from_ids: u32,
}

@group(0) @binding(0) var<uniform> shape: Shape;
@group(0) @binding(3) var<storage, read> weight: array<f32>;
@group(0) @binding(4) var<storage, read> bias: array<f32>;

// The flat index of an invocation in a dispatch of workgroups of 64 over a 2-D grid (the crate's `grid`: x up to
// 65,535 workgroups, the most a dimension allows, and y rows of them): (group.y · groups.x + group.x) · 64 + the
// invocation's index in its group.
fn flat_index(id: vec3<u32>, groups: vec3<u32>) -> u32 {
    return id.y * groups.x * 64u + id.x;
}
