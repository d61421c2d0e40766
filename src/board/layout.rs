//! A layered (Sugiyama-style) drawing of a directed graph: which column
//! each node goes in, its place in the column, and the path of each edge.
//!
//! The board draws the dependency graph with it, and so does `graph
//! --format svg`. It knows nothing of tasks: nodes are `0..n`, and an edge
//! `(from, to)` says `from` comes first, so edges point to later columns.
//! The steps are the classic ones, each chosen to stay near linear so that
//! 100k tasks lay out in seconds:
//!
//! 1. Layers. The layers given (the plan's waves) are kept; an edge that
//!    runs against them is drawn reversed, and a node goes later than its
//!    given layer only when an edge between two nodes of one layer pushes
//!    it. Without layers, each node goes in the layer after the longest
//!    path to it. Edges that close a cycle (the back edges of a depth-first
//!    search) are reversed first, so a cycle still draws.
//! 2. Long edges are split by a dummy point in every layer they cross, so
//!    they can bend around the nodes in between.
//! 3. Crossings. The order within each layer is improved by barycenter
//!    sweeps, down the layers and back up, for several rounds; the order
//!    with the fewest crossings (counted exactly) is kept.
//! 4. Coordinates. Layers are columns, left to right. In each column, each
//!    node and dummy point wants to sit level with what it is joined to in
//!    the column before (then after); the places closest to those wishes
//!    that keep the order and the spacing are found exactly, in linear
//!    time, by pool-adjacent-violators. Dummy points weigh more than nodes,
//!    so long edges stay straight and the nodes move to them.

use crate::graph::Lists;

/// A point of the drawing, in the units of the [`Geometry`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    pub x: f64,
    pub y: f64,
}

/// The sizes a layout is made for: every node is a box of the same size.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Geometry {
    /// The width of a node, which is the width of a column.
    pub node_width: f64,
    /// The height of a node.
    pub node_height: f64,
    /// The space between two columns, where edges run from one to the next.
    pub layer_gap: f64,
    /// The space between two nodes of a column.
    pub node_gap: f64,
    /// The space between an edge passing through a column and its
    /// neighbours there.
    pub dummy_gap: f64,
}

impl Default for Geometry {
    /// The sizes of the board's graph: room for an id and a short subject.
    fn default() -> Geometry {
        Geometry {
            node_width: 180.0,
            node_height: 44.0,
            layer_gap: 70.0,
            node_gap: 16.0,
            dummy_gap: 10.0,
        }
    }
}

/// The path of one edge.
#[derive(Debug, Clone, PartialEq)]
pub struct Route {
    /// From the `from` node's side to the `to` node's side: the first point
    /// is on the right edge of `from` and the last on the left edge of `to`
    /// (the other way round for a reversed edge). In a column an edge
    /// passes through, it runs level across, so each dummy point gives two
    /// points, where it enters the column and where it leaves. An edge from
    /// a node to itself loops over the node's top.
    pub points: Vec<Point>,
    /// The edge runs against the layers, right to left: it closes a cycle
    /// or runs against the layers given.
    pub reversed: bool,
}

/// Where everything goes.
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    /// By node: its layer (column), from 0 on the left.
    pub layer: Vec<usize>,
    /// By node: the centre of its box.
    pub centre: Vec<Point>,
    /// By layer: its nodes, top to bottom.
    pub layers: Vec<Vec<usize>>,
    /// By edge, in the order given.
    pub routes: Vec<Route>,
    /// The size of the drawing: every box and route is inside
    /// `0..width` × `0..height`.
    pub width: f64,
    pub height: f64,
    /// How many pairs of edge segments cross in the order chosen.
    pub crossings: usize,
    /// How many dummy points the long edges took.
    pub dummies: usize,
}

/// Lays out `nodes` nodes and `edges`, each `(from, to)` with `from`
/// first, on the layers given (one per node) or else by longest path. The
/// answer depends only on the input: the same graph always draws the
/// same. Only the order of the given layers matters; layers left empty are
/// dropped.
///
/// # Panics
///
/// When an edge names a node `>= nodes`, or `layers` is not one per node.
pub fn layout(
    nodes: usize,
    edges: &[(usize, usize)],
    layers: Option<&[usize]>,
    geometry: &Geometry,
) -> Layout {
    if let Some(given) = layers {
        assert_eq!(given.len(), nodes, "one layer per node");
    }
    assert!(
        edges.iter().all(|&(a, b)| a < nodes && b < nodes),
        "edges name nodes of the graph"
    );
    let (layer, reversed) = assign_layers(nodes, edges, layers);
    let mut graph = Layered::new(nodes, edges, &layer, &reversed);
    let crossings = graph.reduce_crossings();
    let y = graph.coordinates(geometry);
    graph.finish(edges, &reversed, &y, crossings, geometry)
}

/// The layer of each node by longest path: a node nothing comes before is
/// in layer 0, any other in the layer after the last of what comes before
/// it. Edges that close a cycle are reversed first, so every node gets a
/// layer.
pub fn longest_path_layers(nodes: usize, edges: &[(usize, usize)]) -> Vec<usize> {
    assign_layers(nodes, edges, None).0
}

// ---------------------------------------------------------------------------
// Layers

/// By node its layer (dense: no layer is empty), and by edge whether it is
/// drawn reversed.
fn assign_layers(
    nodes: usize,
    edges: &[(usize, usize)],
    given: Option<&[usize]>,
) -> (Vec<usize>, Vec<bool>) {
    // Edges that run against the given layers are reversed; the others
    // may still close a cycle among nodes of one layer.
    let mut reversed: Vec<bool> = edges
        .iter()
        .map(|&(a, b)| given.is_some_and(|l| l[a] > l[b]))
        .collect();
    reverse_back_edges(nodes, edges, &mut reversed);
    let oriented = |e: usize| {
        let (a, b) = edges[e];
        if reversed[e] { (b, a) } else { (a, b) }
    };
    // Longest path from the minimum each node has, in topological order
    // (Kahn's algorithm: the oriented edges have no cycle). Self loops are
    // left out: they join a node to itself.
    let mut after = vec![Vec::new(); nodes];
    let mut waiting = vec![0usize; nodes];
    for e in 0..edges.len() {
        let (a, b) = oriented(e);
        if a != b {
            after[a].push(b);
            waiting[b] += 1;
        }
    }
    let mut layer: Vec<usize> = match given {
        Some(l) => l.to_vec(),
        None => vec![0; nodes],
    };
    let mut queue: Vec<usize> = (0..nodes).filter(|&v| waiting[v] == 0).collect();
    let mut next = 0;
    while next < queue.len() {
        let v = queue[next];
        next += 1;
        for &w in &after[v] {
            layer[w] = layer[w].max(layer[v] + 1);
            waiting[w] -= 1;
            if waiting[w] == 0 {
                queue.push(w);
            }
        }
    }
    debug_assert_eq!(queue.len(), nodes, "the oriented edges have no cycle");
    // Dense layers: only the order of the layers matters.
    let mut used: Vec<usize> = layer.clone();
    used.sort_unstable();
    used.dedup();
    for l in &mut layer {
        *l = used.binary_search(l).expect("a layer in use");
    }
    (layer, reversed)
}

/// Marks as reversed the edges, among those not yet reversed, that a
/// depth-first search from each node in index order finds going back to
/// a node still on its stack: what is left has no cycle.
fn reverse_back_edges(nodes: usize, edges: &[(usize, usize)], reversed: &mut [bool]) {
    // By node: its outgoing edges, by edge index.
    let mut start = vec![0usize; nodes + 1];
    for (e, &(a, _)) in edges.iter().enumerate() {
        if !reversed[e] {
            start[a + 1] += 1;
        }
    }
    for v in 0..nodes {
        start[v + 1] += start[v];
    }
    let mut fill = start.clone();
    let mut out = vec![0usize; start[nodes]];
    for (e, &(a, _)) in edges.iter().enumerate() {
        if !reversed[e] {
            out[fill[a]] = e;
            fill[a] += 1;
        }
    }
    const NEW: u8 = 0;
    const ON_STACK: u8 = 1;
    const DONE: u8 = 2;
    let mut mark = vec![NEW; nodes];
    // The stack holds a node and how far through its edges the search is.
    let mut stack: Vec<(usize, usize)> = Vec::new();
    for root in 0..nodes {
        if mark[root] != NEW {
            continue;
        }
        mark[root] = ON_STACK;
        stack.push((root, start[root]));
        while let Some(top) = stack.last_mut() {
            let (v, at) = *top;
            if at == start[v + 1] {
                mark[v] = DONE;
                stack.pop();
                continue;
            }
            top.1 += 1;
            let e = out[at];
            let w = edges[e].1;
            match mark[w] {
                NEW => {
                    mark[w] = ON_STACK;
                    stack.push((w, start[w]));
                }
                // A self loop is no cycle to break: it draws as a loop.
                ON_STACK if w != v => reversed[e] = true,
                _ => {}
            }
        }
    }
}

// ---------------------------------------------------------------------------
// The layered graph: nodes and dummy points ("items"), joined between
// neighbouring layers only.

/// Items are the nodes and the dummy points, numbered layer by layer:
/// the items a sweep or a pass looks at together sit together in memory,
/// which at 100k tasks and a million dummy points is most of the speed.
struct Layered {
    /// By node: its item.
    item_of_node: Vec<u32>,
    /// By item: its node, or [`DUMMY`].
    node: Vec<u32>,
    /// By item: its layer.
    layer: Vec<u32>,
    /// By layer: its items, in order, top to bottom.
    order: Vec<Vec<u32>>,
    /// By item: its place in its layer.
    place: Vec<u32>,
    /// By item: what it is joined to in the layer before and the one after.
    up: Lists,
    down: Lists,
    /// By edge: the range of `dummies` that holds its dummy points, first
    /// to last along the oriented edge.
    chain: Vec<std::ops::Range<u32>>,
    dummies: Vec<u32>,
}

/// The node of a dummy point: none.
const DUMMY: u32 = u32::MAX;

impl Layered {
    fn new(nodes: usize, edges: &[(usize, usize)], layer: &[usize], reversed: &[bool]) -> Layered {
        // First numbered as made: the nodes, then each edge's dummy points.
        let mut made_layer: Vec<u32> = layer.iter().map(|&l| l as u32).collect();
        let mut segments: Vec<(u32, u32)> = Vec::new();
        let mut chain = Vec::with_capacity(edges.len());
        for (e, &(a, b)) in edges.iter().enumerate() {
            let (a, b) = if reversed[e] { (b, a) } else { (a, b) };
            let first = (made_layer.len() - nodes) as u32;
            if a == b {
                chain.push(first..first);
                continue;
            }
            let mut previous = a as u32;
            for l in layer[a] + 1..layer[b] {
                let dummy = made_layer.len() as u32;
                made_layer.push(l as u32);
                segments.push((previous, dummy));
                previous = dummy;
            }
            segments.push((previous, b as u32));
            chain.push(first..(made_layer.len() - nodes) as u32);
        }
        let count = made_layer.len();
        let layers = layer.iter().max().map_or(0, |&l| l + 1);
        // Then renumbered layer by layer, in the order made: the first
        // order within a layer is the nodes by index, then the dummy
        // points as made.
        let mut start = vec![0u32; layers + 1];
        for &l in &made_layer {
            start[l as usize + 1] += 1;
        }
        for l in 0..layers {
            start[l + 1] += start[l];
        }
        let mut renumber = vec![0u32; count];
        let mut fill = start.clone();
        for (k, &l) in made_layer.iter().enumerate() {
            renumber[k] = fill[l as usize];
            fill[l as usize] += 1;
        }
        let mut item_layer = vec![0u32; count];
        let mut node = vec![DUMMY; count];
        for (k, &l) in made_layer.iter().enumerate() {
            item_layer[renumber[k] as usize] = l;
            if k < nodes {
                node[renumber[k] as usize] = k as u32;
            }
        }
        let order: Vec<Vec<u32>> = (0..layers)
            .map(|l| (start[l]..start[l + 1]).collect())
            .collect();
        let mut place = vec![0u32; count];
        for list in &order {
            for (p, &k) in list.iter().enumerate() {
                place[k as usize] = p as u32;
            }
        }
        let segments: Vec<(u32, u32)> = segments
            .iter()
            .map(|&(a, b)| (renumber[a as usize], renumber[b as usize]))
            .collect();
        let reverse: Vec<(u32, u32)> = segments.iter().map(|&(a, b)| (b, a)).collect();
        Layered {
            item_of_node: renumber[..nodes].to_vec(),
            node,
            layer: item_layer,
            order,
            place,
            down: Lists::from_pairs(count, &segments),
            up: Lists::from_pairs(count, &reverse),
            chain,
            dummies: renumber[nodes..].to_vec(),
        }
    }

    fn is_dummy(&self, k: u32) -> bool {
        self.node[k as usize] == DUMMY
    }

    /// How many pairs of segments cross, over every pair of neighbouring
    /// layers.
    fn crossings(&self) -> usize {
        let mut fenwick = Fenwick::default();
        let mut ends: Vec<u32> = Vec::new();
        let mut total = 0;
        for l in 0..self.order.len().saturating_sub(1) {
            // The segments sorted by their upper end, then their lower
            // end: every pair out of order in the lower ends crosses.
            ends.clear();
            for &k in &self.order[l] {
                let from = ends.len();
                ends.extend(
                    self.down
                        .get(k as usize)
                        .iter()
                        .map(|&m| self.place[m as usize]),
                );
                ends[from..].sort_unstable();
            }
            total += fenwick.inversions(&ends, self.order[l + 1].len());
        }
        total
    }

    /// Sorts layer `l` by the barycenter of each item's neighbours in the
    /// layer `fixed` (through `adjacency`); an item with none keeps its
    /// relative place. Places are taken as fractions of their layer, so
    /// layers of different lengths compare.
    fn sort_layer(&mut self, l: usize, fixed: usize, down: bool) {
        let fixed_len = self.order[fixed].len().max(1) as f64;
        let own_len = self.order[l].len().max(1) as f64;
        let adjacency = if down { &self.up } else { &self.down };
        let mut keyed: Vec<(f64, u32, u32)> = self.order[l]
            .iter()
            .map(|&k| {
                let around = adjacency.get(k as usize);
                let key = if around.is_empty() {
                    (self.place[k as usize] as f64 + 0.5) / own_len
                } else {
                    let sum: f64 = around
                        .iter()
                        .map(|&m| self.place[m as usize] as f64 + 0.5)
                        .sum();
                    sum / around.len() as f64 / fixed_len
                };
                (key, self.place[k as usize], k)
            })
            .collect();
        keyed.sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        for (p, &(_, _, k)) in keyed.iter().enumerate() {
            self.order[l][p] = k;
            self.place[k as usize] = p as u32;
        }
    }

    /// Barycenter sweeps down and up, keeping the order with the fewest
    /// crossings; returns that count.
    fn reduce_crossings(&mut self) -> usize {
        const ROUNDS: usize = 8;
        let layers = self.order.len();
        let mut best = self.crossings();
        let mut best_order = self.order.clone();
        let mut stale = 0;
        for _ in 0..ROUNDS {
            if best == 0 {
                break;
            }
            let before = best;
            for down in [true, false] {
                if down {
                    for l in 1..layers {
                        self.sort_layer(l, l - 1, true);
                    }
                } else {
                    for l in (0..layers.saturating_sub(1)).rev() {
                        self.sort_layer(l, l + 1, false);
                    }
                }
                let count = self.crossings();
                if count < best {
                    best = count;
                    best_order.clone_from(&self.order);
                }
            }
            // Two rounds in a row that gain less than 1%: the sweeps have
            // settled (on a large random graph they would go on gaining a
            // little for many rounds).
            stale = if best * 100 < before * 99 {
                0
            } else {
                stale + 1
            };
            if stale == 2 {
                break;
            }
        }
        self.order = best_order;
        for list in &self.order {
            for (p, &k) in list.iter().enumerate() {
                self.place[k as usize] = p as u32;
            }
        }
        best
    }

    /// By item: the vertical centre, with the top of the drawing at 0.
    fn coordinates(&self, g: &Geometry) -> Vec<f64> {
        let count = self.layer.len();
        let half = |k: u32| {
            if self.is_dummy(k) {
                0.0
            } else {
                g.node_height / 2.0
            }
        };
        let gap = |a: u32, b: u32| {
            half(a)
                + half(b)
                + if self.is_dummy(a) || self.is_dummy(b) {
                    g.dummy_gap
                } else {
                    g.node_gap
                }
        };
        // Packed from the top to start with.
        let mut y = vec![0.0f64; count];
        for list in &self.order {
            let mut at = 0.0;
            for (p, &k) in list.iter().enumerate() {
                if p > 0 {
                    at += gap(list[p - 1], k);
                }
                y[k as usize] = at;
            }
        }
        // Each pass moves every layer in turn towards what it is joined to
        // on one side (or both), with the layers already moved fixed.
        #[derive(Clone, Copy)]
        enum Side {
            Before,
            After,
            Both,
        }
        let passes = [
            Side::Before,
            Side::After,
            Side::Before,
            Side::After,
            Side::Both,
            Side::Both,
        ];
        let layers = self.order.len();
        let mut wish: Vec<(f64, f64)> = Vec::new();
        for (n, side) in passes.into_iter().enumerate() {
            let downwards = n % 2 == 0;
            for step in 0..layers {
                let l = if downwards { step } else { layers - 1 - step };
                let list = &self.order[l];
                wish.clear();
                for &k in list {
                    let around: &[&[u32]] = match side {
                        Side::Before => &[self.up.get(k as usize)],
                        Side::After => &[self.down.get(k as usize)],
                        Side::Both => &[self.up.get(k as usize), self.down.get(k as usize)],
                    };
                    let (sum, n) = around
                        .iter()
                        .flat_map(|a| a.iter())
                        .fold((0.0, 0usize), |(s, n), &m| (s + y[m as usize], n + 1));
                    let weight = if self.is_dummy(k) { 8.0 } else { 1.0 };
                    wish.push(if n == 0 {
                        // Nothing to be level with: stay, lightly.
                        (y[k as usize], 0.05)
                    } else {
                        (sum / n as f64, weight * n as f64)
                    });
                }
                let placed = closest_spaced(&wish, |p| gap(list[p - 1], list[p]));
                for (p, &k) in list.iter().enumerate() {
                    y[k as usize] = placed[p];
                }
            }
        }
        // The top of the highest box at 0.
        let top = (0..count as u32)
            .map(|k| y[k as usize] - half(k))
            .fold(f64::INFINITY, f64::min);
        if top.is_finite() {
            for v in &mut y {
                *v -= top;
            }
        }
        y
    }

    fn finish(
        self,
        edges: &[(usize, usize)],
        reversed: &[bool],
        y: &[f64],
        crossings: usize,
        g: &Geometry,
    ) -> Layout {
        let column = |l: u32| l as f64 * (g.node_width + g.layer_gap);
        let centre: Vec<Point> = self
            .item_of_node
            .iter()
            .map(|&k| Point {
                x: column(self.layer[k as usize]) + g.node_width / 2.0,
                y: y[k as usize],
            })
            .collect();
        let routes: Vec<Route> = edges
            .iter()
            .enumerate()
            .map(|(e, &(from, to))| {
                if from == to {
                    let c = centre[from];
                    let (left, right) = (c.x - g.node_width / 2.0, c.x + g.node_width / 2.0);
                    let over = c.y - g.node_height / 2.0 - g.node_gap / 2.0;
                    return Route {
                        points: vec![
                            Point { x: right, y: c.y },
                            Point { x: right, y: over },
                            Point { x: left, y: over },
                            Point { x: left, y: c.y },
                        ],
                        reversed: false,
                    };
                }
                let (a, b) = if reversed[e] { (to, from) } else { (from, to) };
                let mut points = vec![Point {
                    x: centre[a].x + g.node_width / 2.0,
                    y: centre[a].y,
                }];
                let range = self.chain[e].start as usize..self.chain[e].end as usize;
                for &k in &self.dummies[range] {
                    let x = column(self.layer[k as usize]);
                    let y = y[k as usize];
                    points.push(Point { x, y });
                    points.push(Point {
                        x: x + g.node_width,
                        y,
                    });
                }
                points.push(Point {
                    x: centre[b].x - g.node_width / 2.0,
                    y: centre[b].y,
                });
                if reversed[e] {
                    points.reverse();
                }
                Route {
                    points,
                    reversed: reversed[e],
                }
            })
            .collect();
        let layers: Vec<Vec<usize>> = self
            .order
            .iter()
            .map(|list| {
                list.iter()
                    .filter(|&&k| !self.is_dummy(k))
                    .map(|&k| self.node[k as usize] as usize)
                    .collect()
            })
            .collect();
        let count = self.order.len();
        let width = if count == 0 {
            0.0
        } else {
            column(count as u32 - 1) + g.node_width
        };
        let half = |k: usize| {
            if self.is_dummy(k as u32) {
                0.0
            } else {
                g.node_height / 2.0
            }
        };
        let mut height = (0..self.layer.len())
            .map(|k| y[k] + half(k))
            .fold(0.0, f64::max);
        // A self loop rises above its node: room for it at the top.
        let loops = edges.iter().any(|&(a, b)| a == b);
        let lift = if loops { g.node_gap / 2.0 } else { 0.0 };
        let (routes, centre) = if loops {
            height += lift;
            let shift = |p: Point| Point {
                x: p.x,
                y: p.y + lift,
            };
            let routes: Vec<Route> = routes
                .into_iter()
                .map(|r: Route| Route {
                    points: r.points.into_iter().map(shift).collect(),
                    reversed: r.reversed,
                })
                .collect();
            (routes, centre.into_iter().map(shift).collect())
        } else {
            (routes, centre)
        };
        Layout {
            layer: self
                .item_of_node
                .iter()
                .map(|&k| self.layer[k as usize] as usize)
                .collect(),
            centre,
            layers,
            routes,
            width,
            height,
            crossings,
            dummies: self.dummies.len(),
        }
    }
}

/// The places `y`, in order, that keep item `p` at least `gap(p)` below
/// item `p - 1` and are closest to the wishes `(place, weight)`, by least
/// weighted squares. Shifting each wish up by the spacing above it makes
/// this a weighted isotonic regression, which pool-adjacent-violators
/// solves exactly in linear time.
fn closest_spaced(wish: &[(f64, f64)], gap: impl Fn(usize) -> f64) -> Vec<f64> {
    let mut offset = vec![0.0; wish.len()];
    for p in 1..wish.len() {
        offset[p] = offset[p - 1] + gap(p);
    }
    // Blocks of items that sit packed together: weight, weighted sum of
    // targets, and how many items.
    let mut blocks: Vec<(f64, f64, usize)> = Vec::with_capacity(wish.len());
    for (p, &(at, weight)) in wish.iter().enumerate() {
        let mut block = (weight, weight * (at - offset[p]), 1);
        while let Some(&last) = blocks.last() {
            if last.1 / last.0 > block.1 / block.0 {
                block = (last.0 + block.0, last.1 + block.1, last.2 + block.2);
                blocks.pop();
            } else {
                break;
            }
        }
        blocks.push(block);
    }
    let mut out = Vec::with_capacity(wish.len());
    for (weight, sum, count) in blocks {
        let z = sum / weight;
        for _ in 0..count {
            let p = out.len();
            out.push(z + offset[p]);
        }
    }
    out
}

/// A Fenwick tree over places, to count pairs out of order.
#[derive(Default)]
struct Fenwick(Vec<u32>);

impl Fenwick {
    /// How many pairs `i < j` have `values[i] > values[j]`; each value is
    /// below `size`.
    fn inversions(&mut self, values: &[u32], size: usize) -> usize {
        self.0.clear();
        self.0.resize(size + 1, 0);
        let mut total = 0usize;
        for (seen, &v) in values.iter().enumerate() {
            // How many of those seen are at most v.
            let mut i = v as usize + 1;
            let mut at_most = 0usize;
            while i > 0 {
                at_most += self.0[i] as usize;
                i &= i - 1;
            }
            total += seen - at_most;
            let mut i = v as usize + 1;
            while i <= size {
                self.0[i] += 1;
                i += i & i.wrapping_neg();
            }
        }
        total
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draw(nodes: usize, edges: &[(usize, usize)]) -> Layout {
        layout(nodes, edges, None, &Geometry::default())
    }

    /// No two boxes overlap, and every box and route is inside the
    /// drawing.
    fn assert_sound(l: &Layout, g: &Geometry) {
        for (a, ca) in l.centre.iter().enumerate() {
            for cb in &l.centre[a + 1..] {
                let apart = (ca.x - cb.x).abs() >= g.node_width - 1e-6
                    || (ca.y - cb.y).abs() >= g.node_height - 1e-6;
                assert!(apart, "boxes at {ca:?} and {cb:?} overlap");
            }
            assert!(ca.y - g.node_height / 2.0 >= -1e-6);
            assert!(ca.y + g.node_height / 2.0 <= l.height + 1e-6);
            assert!(ca.x + g.node_width / 2.0 <= l.width + 1e-6);
        }
        for r in &l.routes {
            for p in &r.points {
                assert!(p.x >= -1e-6 && p.x <= l.width + 1e-6, "{p:?}");
                assert!(p.y >= -1e-6 && p.y <= l.height + 1e-6, "{p:?}");
            }
        }
    }

    /// Every edge not reversed runs left to right, its route from the right
    /// side of `from` to the left side of `to`, never backwards.
    fn assert_left_to_right(l: &Layout, edges: &[(usize, usize)], g: &Geometry) {
        for (e, &(a, b)) in edges.iter().enumerate() {
            let r = &l.routes[e];
            if a == b {
                continue;
            }
            assert!(!r.reversed, "edge {a}->{b} reversed");
            assert!(l.layer[a] < l.layer[b], "edge {a}->{b} goes left to right");
            let first = r.points[0];
            let last = *r.points.last().unwrap();
            assert_eq!(first.x, l.centre[a].x + g.node_width / 2.0);
            assert_eq!(last.x, l.centre[b].x - g.node_width / 2.0);
            assert!(r.points.windows(2).all(|w| w[0].x <= w[1].x));
            // One pair of points per layer crossed.
            assert_eq!(r.points.len(), 2 * (l.layer[b] - l.layer[a]));
        }
    }

    #[test]
    fn a_chain_is_one_straight_line() {
        let edges = [(0, 1), (1, 2), (2, 3)];
        let l = draw(4, &edges);
        let g = Geometry::default();
        assert_eq!(l.layer, [0, 1, 2, 3]);
        assert_eq!(l.crossings, 0);
        assert_eq!(l.dummies, 0);
        assert!(l.centre.iter().all(|c| (c.y - l.centre[0].y).abs() < 1e-9));
        assert_sound(&l, &g);
        assert_left_to_right(&l, &edges, &g);
    }

    #[test]
    fn fan_out_fan_in_and_diamond_draw_without_crossings() {
        let g = Geometry::default();
        let cases: [(usize, &[(usize, usize)]); 4] = [
            // One task waited for by four.
            (5, &[(0, 1), (0, 2), (0, 3), (0, 4)]),
            // Four tasks a review waits for.
            (5, &[(1, 0), (2, 0), (3, 0), (4, 0)]),
            // A diamond, and a long edge past it.
            (5, &[(0, 1), (0, 2), (1, 3), (2, 3), (3, 4), (0, 4)]),
            // Two diamonds in a row.
            (
                7,
                &[
                    (0, 1),
                    (0, 2),
                    (1, 3),
                    (2, 3),
                    (3, 4),
                    (3, 5),
                    (4, 6),
                    (5, 6),
                ],
            ),
        ];
        for (nodes, edges) in cases {
            let l = draw(nodes, edges);
            assert_eq!(l.crossings, 0, "{edges:?}");
            assert_sound(&l, &g);
            assert_left_to_right(&l, edges, &g);
        }
        // The fan-out's source sits level with the middle of its four.
        let l = draw(5, &[(0, 1), (0, 2), (0, 3), (0, 4)]);
        let middle = (l.centre[2].y + l.centre[3].y) / 2.0;
        assert!((l.centre[0].y - middle).abs() < 1e-6, "{:?}", l.centre);
    }

    #[test]
    fn a_long_edge_goes_round_what_is_between() {
        // 0 -> 1 -> 2 -> 3 and 0 -> 3: the long edge passes layers 1 and 2
        // beside the chain, level across each column.
        let edges = [(0, 1), (1, 2), (2, 3), (0, 3)];
        let l = draw(4, &edges);
        let g = Geometry::default();
        assert_eq!(l.dummies, 2);
        let route = &l.routes[3];
        assert_eq!(route.points.len(), 6);
        assert_eq!(route.points[1].y, route.points[2].y);
        // The dummy points keep clear of the boxes in their columns.
        for (p, v) in [(1, 1), (3, 2)] {
            assert!(
                (route.points[p].y - l.centre[v].y).abs()
                    >= g.node_height / 2.0 + g.dummy_gap - 1e-6
            );
        }
        assert_sound(&l, &g);
        assert_left_to_right(&l, &edges, &g);
    }

    #[test]
    fn sweeps_undo_the_crossings_of_the_input_order() {
        // Three chains of three, listed so that the middle layer is in the
        // opposite order of the first: in the input order every pair of
        // chains crosses.
        let edges = [(0, 5), (1, 4), (2, 3), (5, 6), (4, 7), (3, 8)];
        let nodes = 9;
        let (layer, reversed) = assign_layers(nodes, &edges, None);
        let input = Layered::new(nodes, &edges, &layer, &reversed).crossings();
        assert_eq!(input, 6);
        let l = draw(nodes, &edges);
        assert_eq!(l.crossings, 0);
        // A six-cycle between two layers cannot be drawn without a
        // crossing: the sweeps still do better than the input order.
        let edges = [
            (0, 4),
            (1, 3),
            (1, 5),
            (2, 3),
            (0, 5),
            (2, 4),
            (3, 6),
            (5, 7),
            (4, 8),
        ];
        let (layer, reversed) = assign_layers(9, &edges, None);
        let input = Layered::new(9, &edges, &layer, &reversed).crossings();
        let l = draw(9, &edges);
        assert!(l.crossings < input, "{} < {input}", l.crossings);
    }

    #[test]
    fn crossings_are_counted_exactly() {
        // K2,2 between two layers: one crossing in any order.
        let edges = [(0, 2), (0, 3), (1, 2), (1, 3)];
        assert_eq!(draw(4, &edges).crossings, 1);
        let mut f = Fenwick::default();
        assert_eq!(f.inversions(&[2, 0, 1, 0], 3), 4);
        assert_eq!(f.inversions(&[0, 0, 1, 2], 3), 0);
    }

    #[test]
    fn given_layers_are_kept_and_edges_against_them_reversed() {
        // Layers given with a gap (only their order counts), and an edge
        // from a later layer to an earlier one.
        let edges = [(0, 1), (2, 1)];
        let l = layout(3, &edges, Some(&[0, 5, 9]), &Geometry::default());
        assert_eq!(l.layer, [0, 1, 2]);
        assert!(!l.routes[0].reversed);
        assert!(l.routes[1].reversed);
        // The reversed route still runs from `from` to `to`: from the left
        // side of 2 to the right side of 1.
        let r = &l.routes[1];
        let g = Geometry::default();
        assert_eq!(r.points[0].x, l.centre[2].x - g.node_width / 2.0);
        assert_eq!(
            r.points.last().unwrap().x,
            l.centre[1].x + g.node_width / 2.0
        );
        // An edge between two nodes of one given layer pushes its end on.
        let l = layout(2, &[(0, 1)], Some(&[3, 3]), &Geometry::default());
        assert_eq!(l.layer, [0, 1]);
    }

    #[test]
    fn a_cycle_still_draws_with_one_edge_reversed() {
        let edges = [(0, 1), (1, 2), (2, 0), (3, 3)];
        let l = draw(4, &edges);
        let g = Geometry::default();
        assert_eq!(l.routes.iter().filter(|r| r.reversed).count(), 1);
        assert!(l.routes[2].reversed);
        assert_eq!(l.layer[..3], [0, 1, 2]);
        // The self loop rises over its node and stays in the drawing.
        assert_eq!(l.routes[3].points.len(), 4);
        assert_sound(&l, &g);
        assert_eq!(longest_path_layers(4, &edges), l.layer);
    }

    #[test]
    fn the_same_graph_always_draws_the_same() {
        let mut seed = 7u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let nodes = 300;
        let edges: Vec<(usize, usize)> = (0..900)
            .map(|_| {
                let a = (next() % nodes as u64) as usize;
                let b = (next() % nodes as u64) as usize;
                (a.min(b), a.max(b))
            })
            .filter(|&(a, b)| a != b)
            .collect();
        let g = Geometry::default();
        let one = layout(nodes, &edges, None, &g);
        let two = layout(nodes, &edges, None, &g);
        assert_eq!(one, two);
        assert_sound(&one, &g);
        assert_left_to_right(&one, &edges, &g);
        let (layer, reversed) = assign_layers(nodes, &edges, None);
        let input = Layered::new(nodes, &edges, &layer, &reversed).crossings();
        assert!(one.crossings < input, "{} < {input}", one.crossings);
    }

    #[test]
    fn nothing_lays_out_as_nothing() {
        let l = draw(0, &[]);
        assert_eq!((l.width, l.height, l.crossings), (0.0, 0.0, 0));
        assert!(l.layers.is_empty());
        let l = draw(1, &[]);
        assert_eq!(l.layers, [vec![0]]);
        assert_eq!(l.centre[0].y, Geometry::default().node_height / 2.0);
    }
}
