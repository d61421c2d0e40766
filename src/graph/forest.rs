//! The parent relation as a forest, and the shapes built on it: packed
//! lists, the order that visits every task after its parent, the loops a
//! hand-edited file can make, and an iterative walk over the forest.
//! Everything here is linear in tasks plus edges and never recurses, so
//! no depth a file can write reaches the stack.

/// "No task": the end of a chain, or an absent link.
pub(super) const NONE: u32 = u32::MAX;

/// Lists of `u32`, one per item, packed into one vector: the list of `i` is
/// `items[start[i]..start[i + 1]]`.
#[derive(Debug, Default)]
pub(crate) struct Lists {
    start: Vec<u32>,
    items: Vec<u32>,
}

impl Lists {
    pub(super) fn new() -> Lists {
        Lists {
            start: vec![0],
            items: Vec::new(),
        }
    }

    pub(super) fn push(&mut self, item: u32) {
        self.items.push(item);
    }

    /// Ends the current list; the next `push` starts the next one.
    pub(super) fn close(&mut self) {
        self.start.push(self.items.len() as u32);
    }

    /// `count` lists from `(list, item)` pairs, each list keeping the order
    /// its pairs come in (a counting sort).
    pub(crate) fn from_pairs(count: usize, pairs: &[(u32, u32)]) -> Lists {
        let mut start = vec![0u32; count + 1];
        for &(list, _) in pairs {
            start[list as usize + 1] += 1;
        }
        for k in 0..count {
            start[k + 1] += start[k];
        }
        let mut fill = start.clone();
        let mut items = vec![0u32; pairs.len()];
        for &(list, item) in pairs {
            items[fill[list as usize] as usize] = item;
            fill[list as usize] += 1;
        }
        Lists { start, items }
    }

    pub(crate) fn get(&self, i: usize) -> &[u32] {
        &self.items[self.start[i] as usize..self.start[i + 1] as usize]
    }

    /// How many lists there are.
    pub(super) fn count(&self) -> usize {
        self.start.len() - 1
    }

    /// How many items all the lists hold together.
    pub(super) fn total(&self) -> usize {
        self.items.len()
    }
}

/// A step of [`Forest::walk`]: entering or leaving a task, or a loop of
/// parents (which the walk treats as one node above the trees hanging
/// from it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Step {
    Enter(Node),
    Leave(Node),
}

/// A node of the forest: a task that is on no loop, or a whole loop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Node {
    Task(u32),
    Loop(u32),
}

/// The parent links of a task set.
///
/// A file can name any task as its parent, so the links may close loops
/// (`a` part of `b`, `b` part of `a`). Following parents from any task
/// either ends or runs into exactly one loop; the ancestors of a task on a
/// loop are the other tasks of the loop, and the ancestors of a task below
/// a loop end with the whole loop. Every task on a loop waits for itself
/// through its children, so `check` reports it as a cycle; the answers for
/// the rest of the set stay exact.
#[derive(Debug)]
pub(super) struct Forest {
    pub(super) parent: Vec<u32>,
    pub(super) children: Lists,
    /// For a task on a loop, the loop's number; else `NONE`.
    pub(super) loop_of: Vec<u32>,
    /// The tasks of each loop, in parent order: `m`, the parent of `m`, its
    /// parent, … back to just before `m`.
    pub(super) loops: Lists,
    /// The children of each loop: the children of its tasks that are on no
    /// loop, the roots of the trees hanging from it.
    below_loop: Lists,
    /// Every task once, each after its parent: the tasks on loops first,
    /// then the trees, top down.
    pub(super) order: Vec<u32>,
}

impl Forest {
    pub(super) fn new(parent: Vec<u32>) -> Forest {
        let n = parent.len();
        let pairs: Vec<(u32, u32)> = parent
            .iter()
            .enumerate()
            .filter(|&(_, &p)| p != NONE)
            .map(|(i, &p)| (p, i as u32))
            .collect();
        let children = Lists::from_pairs(n, &pairs);

        // Follow parents from each task not yet seen, marking the path; a
        // walk that runs into its own path has found a loop.
        const NEW: u8 = 0;
        const ON_PATH: u8 = 1;
        const DONE: u8 = 2;
        let mut state = vec![NEW; n];
        let mut loop_of = vec![NONE; n];
        let mut loops = Lists::new();
        let mut path = Vec::new();
        for s in 0..n {
            if state[s] != NEW {
                continue;
            }
            path.clear();
            let mut x = s as u32;
            while x != NONE && state[x as usize] == NEW {
                state[x as usize] = ON_PATH;
                path.push(x);
                x = parent[x as usize];
            }
            if x != NONE
                && state[x as usize] == ON_PATH
                && let Some(at) = path.iter().rposition(|&y| y == x)
            {
                let number = loops.count() as u32;
                for &m in &path[at..] {
                    loop_of[m as usize] = number;
                    loops.push(m);
                }
                loops.close();
            }
            for &y in &path {
                state[y as usize] = DONE;
            }
        }

        let mut below_loop = Lists::new();
        for l in 0..loops.count() {
            for &m in loops.get(l) {
                for &c in children.get(m as usize) {
                    if loop_of[c as usize] == NONE {
                        below_loop.push(c);
                    }
                }
            }
            below_loop.close();
        }

        let mut order: Vec<u32> = Vec::with_capacity(n);
        for l in 0..loops.count() {
            order.extend_from_slice(loops.get(l));
        }
        order.extend((0..n as u32).filter(|&i| parent[i as usize] == NONE));
        let mut next = 0;
        while next < order.len() {
            let x = order[next] as usize;
            next += 1;
            order.extend(
                children
                    .get(x)
                    .iter()
                    .filter(|&&c| loop_of[c as usize] == NONE),
            );
        }
        Forest {
            parent,
            children,
            loop_of,
            loops,
            below_loop,
            order,
        }
    }

    pub(super) fn len(&self) -> usize {
        self.parent.len()
    }

    /// The task that stands for task `i`'s ancestry: itself, or for a task
    /// on a loop the loop's first task (every task on a loop has the same
    /// ancestors and itself, so they share one).
    pub(super) fn canonical(&self, i: u32) -> u32 {
        match self.loop_of[i as usize] {
            NONE => i,
            l => self.loops.get(l as usize)[0],
        }
    }

    /// The ancestors of `i`, nearest first, as the waits-for relation reads
    /// them (docs/graph.md): the parent, its parent, … stopping at a missing
    /// parent, at `i` itself, or where the chain comes back round a loop.
    pub(super) fn ancestors(&self, i: u32) -> Ancestors<'_> {
        Ancestors::new(self, &self.parent, i)
    }

    /// Walks the forest depth first without recursion: every task on no
    /// loop and every loop is entered once and left once, after everything
    /// below it. The trees hanging from a loop are below the loop.
    pub(super) fn walk(&self, mut visit: impl FnMut(Step)) {
        let n = self.len();
        let mut stack: Vec<(Node, usize)> = Vec::new();
        let roots = (0..self.loops.count() as u32).map(Node::Loop).chain(
            (0..n as u32)
                .filter(|&i| self.parent[i as usize] == NONE)
                .map(Node::Task),
        );
        for root in roots {
            visit(Step::Enter(root));
            stack.push((root, 0));
            while let Some(top) = stack.last_mut() {
                let (node, cursor) = *top;
                let below = match node {
                    Node::Task(t) => self.children.get(t as usize),
                    Node::Loop(l) => self.below_loop.get(l as usize),
                };
                let child = below.get(cursor).copied();
                match child {
                    Some(c) => {
                        top.1 += 1;
                        visit(Step::Enter(Node::Task(c)));
                        stack.push((Node::Task(c), 0));
                    }
                    None => {
                        visit(Step::Leave(node));
                        stack.pop();
                    }
                }
            }
        }
    }
}

/// The ancestors of one task, nearest first, following `next` links: the
/// parents themselves, or links that skip to the nearest ancestor of
/// interest (any link from a task must lead to one of its ancestors, in
/// the order of the parent chain).
pub(super) struct Ancestors<'f> {
    forest: &'f Forest,
    next: &'f [u32],
    start: u32,
    current: u32,
    /// The first task on a loop the walk reached: coming back to it means
    /// the walk has been all the way round.
    first_on_loop: u32,
}

impl<'f> Ancestors<'f> {
    pub(super) fn new(forest: &'f Forest, next: &'f [u32], start: u32) -> Ancestors<'f> {
        Ancestors {
            forest,
            next,
            start,
            current: next[start as usize],
            first_on_loop: NONE,
        }
    }
}

impl Iterator for Ancestors<'_> {
    type Item = u32;

    fn next(&mut self) -> Option<u32> {
        let x = self.current;
        if x == NONE || x == self.start || x == self.first_on_loop {
            return None;
        }
        if self.first_on_loop == NONE && self.forest.loop_of[x as usize] != NONE {
            self.first_on_loop = x;
        }
        self.current = self.next[x as usize];
        Some(x)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loops_of_parents_are_found_and_walked_once() {
        // 1 and 2 are each other's parent, 0 hangs below the loop; 4 is
        // part of 3.
        let f = Forest::new(vec![1, 2, 1, NONE, 3]);
        assert_eq!(f.loops.count(), 1);
        assert_eq!(f.loops.get(0), [1, 2]);
        assert_eq!(f.loop_of, [NONE, 0, 0, NONE, NONE]);
        assert_eq!(f.order, [1, 2, 3, 0, 4]);
        assert_eq!(f.canonical(2), 1);
        // Ancestors stop where the chain comes back round.
        assert_eq!(f.ancestors(0).collect::<Vec<_>>(), [1, 2]);
        assert_eq!(f.ancestors(1).collect::<Vec<_>>(), [2]);
        assert_eq!(f.ancestors(4).collect::<Vec<_>>(), [3]);
        let mut steps = Vec::new();
        f.walk(|s| steps.push(s));
        use Node::{Loop, Task};
        use Step::{Enter, Leave};
        assert_eq!(
            steps,
            [
                Enter(Loop(0)),
                Enter(Task(0)),
                Leave(Task(0)),
                Leave(Loop(0)),
                Enter(Task(3)),
                Enter(Task(4)),
                Leave(Task(4)),
                Leave(Task(3)),
            ]
        );
    }
}
