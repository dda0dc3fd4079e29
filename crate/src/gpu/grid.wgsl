// The flat index of an invocation in a dispatch of workgroups of 64 over a 2-D grid (the crate's `grid`: x up to
// 65,535 workgroups, the most a dimension allows, and y rows of them), for project.wgsl and head.wgsl, which the
// crate prepends this file to: (group.y · groups.x + group.x) · 64 + the invocation's index in its group.
fn flat_index(id: vec3<u32>, groups: vec3<u32>) -> u32 {
    return id.y * groups.x * 64u + id.x;
}
