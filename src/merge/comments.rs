//! Carrying comments across a merge. The field merge compares what the
//! fields mean, so a change of comments alone is no change to it; here the
//! comments of every place in the file merge three-way on their own, after
//! the fields have: a comment one side added, changed or removed is added,
//! changed or removed in the result, whatever happened to the value beside
//! it.
//!
//! A place is where toml_edit keeps the text around an item: the lines
//! above a key or a table header, the rest of its line, the lines around an
//! element of an array, the end of an array and the end of the file. Places
//! are matched across the versions by what they belong to: the key, the
//! element's value, a criterion's text or a note's text and time.
//!
//! Only comment lines count: spacing stays as the result has it, so the
//! layout the field merge chose is kept. When both sides changed one
//! comment, ours stays where it is and theirs goes on a line of its own
//! above the item, so no one's words are lost.

use std::collections::HashMap;

use toml_edit::{Array, ArrayOfTables, Decor, DocumentMut, Item, RawString, Table, Value};

use super::{Plain, plain_item, plain_value};

/// Carries the comments of `base`, `ours` and `theirs` into `result`, the
/// merge of their fields.
pub(super) fn carry(
    result: &mut DocumentMut,
    base: &DocumentMut,
    ours: &DocumentMut,
    theirs: &DocumentMut,
) {
    let sides = Three {
        base: Some(base.as_table()),
        ours: Some(ours.as_table()),
        theirs: Some(theirs.as_table()),
    };
    entries(result.as_table_mut(), sides);
    let current = raw(Some(result.trailing())).to_owned();
    let merged = merge(
        raw(Some(base.trailing())),
        raw(Some(ours.trailing())),
        raw(Some(theirs.trailing())),
    )
    .0;
    if comments(&merged) != comments(&current) {
        result.set_trailing(merged);
    }
}

/// The same place in the three versions; `None` where a version does not
/// have the item.
struct Three<'a, T: ?Sized> {
    base: Option<&'a T>,
    ours: Option<&'a T>,
    theirs: Option<&'a T>,
}

impl<T: ?Sized> Clone for Three<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: ?Sized> Copy for Three<'_, T> {}

impl<'a, T: ?Sized> Three<'a, T> {
    fn map<U: ?Sized>(self, f: impl Fn(&'a T) -> Option<&'a U>) -> Three<'a, U> {
        Three {
            base: self.base.and_then(&f),
            ours: self.ours.and_then(&f),
            theirs: self.theirs.and_then(&f),
        }
    }
}

/// The entries of a table: the lines above each key and what is inside
/// each item.
fn entries(result: &mut Table, sides: Three<'_, Table>) {
    let keys: Vec<String> = result.iter().map(|(k, _)| k.to_owned()).collect();
    for key in keys {
        let items = sides.map(|t| t.get(&key).filter(|i| !i.is_none()));
        let above = match result.get_mut(&key) {
            Some(item) => item_comments(item, items),
            None => continue,
        };
        let decors = sides.map(|t| t.key(&key).map(|k| k.leaf_decor()));
        if let Some(mut k) = result.key_mut(&key) {
            lines_above(k.leaf_decor_mut(), decors, above);
        }
    }
}

/// What is inside one item. Returns a comment for the line above the
/// item's key, when both sides changed the comment at the end of its line.
fn item_comments(item: &mut Item, sides: Three<'_, Item>) -> Option<String> {
    match item {
        Item::None => None,
        Item::Value(value) => value_comments(value, sides.map(Item::as_value)),
        Item::Table(table) => {
            table_comments(table, sides.map(Item::as_table));
            None
        }
        Item::ArrayOfTables(array) => {
            tables_comments(array, sides.map(Item::as_array_of_tables));
            None
        }
    }
}

/// A table: the lines above its header, the rest of the header's line, and
/// its entries.
fn table_comments(table: &mut Table, sides: Three<'_, Table>) {
    let decors = sides.map(|t| Some(t.decor()));
    let above = place(table.decor_mut(), Part::Suffix, decors);
    lines_above(table.decor_mut(), decors, above);
    entries(table, sides);
}

/// The tables of an array of tables (`[[criteria]]`, `[[notes]]`), each
/// matched across the versions by its text and time.
fn tables_comments<'a>(array: &mut ArrayOfTables, sides: Three<'a, ArrayOfTables>) {
    type Identity = ((Option<Plain>, Option<Plain>), usize);
    // Each table's text and time, and which occurrence of them it is:
    // worked out once per table (a log can hold thousands of notes).
    let identities = |tables: &mut dyn Iterator<Item = &Table>| -> Vec<Identity> {
        let mut out: Vec<Identity> = Vec::new();
        for t in tables {
            let id = (
                t.get("text").and_then(plain_item),
                t.get("at").and_then(plain_item),
            );
            let n = out.iter().filter(|(seen, _)| *seen == id).count();
            out.push((id, n));
        }
        out
    };
    let (base, ours, theirs) = (
        sides.base.map(|a| (a, identities(&mut a.iter()))),
        sides.ours.map(|a| (a, identities(&mut a.iter()))),
        sides.theirs.map(|a| (a, identities(&mut a.iter()))),
    );
    let mine = identities(&mut array.iter());
    let find = |side: &Option<(&'a ArrayOfTables, Vec<Identity>)>, key: &Identity| {
        let (tables, ids) = side.as_ref()?;
        let k = ids.iter().position(|id| id == key)?;
        tables.get(k)
    };
    for (table, key) in array.iter_mut().zip(&mine) {
        let matched = Three {
            base: find(&base, key),
            ours: find(&ours, key),
            theirs: find(&theirs, key),
        };
        table_comments(table, matched);
    }
}

/// A value: the rest of its line and, for an array, its elements. Returns
/// a comment for the line above, as [`item_comments`] does.
fn value_comments(value: &mut Value, sides: Three<'_, Value>) -> Option<String> {
    let above = place(
        value.decor_mut(),
        Part::Suffix,
        sides.map(|v| Some(v.decor())),
    );
    if let Value::Array(array) = value {
        array_comments(array, sides.map(Value::as_array));
    }
    above
}

/// The elements of an array, each matched across the versions by its value
/// (and, for a value written twice, by which occurrence it is), and the
/// comments after the last one.
///
/// toml_edit keeps the comment at the end of an element's line in front of
/// the next element (or in the array's trailing text): here it goes with
/// the element whose line it is on, so it follows that element, and goes
/// when the element goes.
fn array_comments(array: &mut Array, sides: Three<'_, Array>) {
    let ids = identities(array);
    let arrays = [sides.base, sides.ours, sides.theirs];
    let side_ids = arrays.map(|a| a.map(identities));
    let index = |s: usize, id: &(Plain, usize)| -> Option<usize> {
        side_ids[s].as_ref()?.iter().position(|x| x == id)
    };
    // Each element's own comments, and the lines above it.
    for (i, id) in ids.iter().enumerate() {
        let matched = [0, 1, 2].map(|s| index(s, id).and_then(|k| arrays[s]?.get(k)));
        let Some(element) = array.get_mut(i) else {
            continue;
        };
        let three = Three {
            base: matched[0],
            ours: matched[1],
            theirs: matched[2],
        };
        let above = value_comments(element, three);
        let now = raw(element.decor().prefix()).to_owned();
        let (head, rest_now) = first_line(&now);
        let rest_of = |v: &Value| {
            first_line(raw(v.decor().prefix()))
                .1
                .unwrap_or("")
                .to_owned()
        };
        let rest_now = rest_now.map(str::to_owned);
        let ours = matched[1].map_or_else(|| rest_now.clone().unwrap_or_default(), rest_of);
        let (merged, _) = merge(
            &matched[0].map(rest_of).unwrap_or_default(),
            &ours,
            &matched[2].map(rest_of).unwrap_or_default(),
        );
        let mut rest = if comments(&merged) == comments(rest_now.as_deref().unwrap_or("")) {
            rest_now.clone()
        } else {
            Some(merged)
        };
        if let Some(line) = above {
            rest = Some(with_line_above(rest.as_deref().unwrap_or(""), &line));
        }
        if rest != rest_now {
            element
                .decor_mut()
                .set_prefix(join_first_line(head, rest.as_deref()));
        }
    }
    // The comment at the end of each element's line, and of the `[` line.
    let line_comment = |s: usize, id: &(Plain, usize)| -> Option<&str> {
        let array = arrays[s]?;
        let k = index(s, id)?;
        gap_after(array, k).map(|gap| first_line(gap).0)
    };
    for (i, id) in ids.iter().enumerate() {
        let Some(gap) = gap_after(array, i).map(str::to_owned) else {
            continue;
        };
        let (head, rest) = first_line(&gap);
        let ours = if arrays[1].is_some() && index(1, id).is_some() {
            line_comment(1, id).unwrap_or("")
        } else {
            head
        };
        let (merged, extra) = merge(
            line_comment(0, id).unwrap_or(""),
            ours,
            line_comment(2, id).unwrap_or(""),
        );
        if comments(&merged) == comments(head) && extra.is_none() {
            continue;
        }
        let head = if comments(&merged) == comments(head) {
            head
        } else {
            merged.as_str()
        };
        let rest = match extra {
            Some(line) => Some(with_line_above(rest.unwrap_or(""), &line)),
            None => rest.map(str::to_owned),
        };
        set_gap_after(array, i, join_first_line(head, rest.as_deref()));
    }
    if let Some(first) = array.get_mut(0) {
        let opening = |a: Option<&Array>| -> String {
            a.and_then(|a| a.get(0))
                .map(|v| first_line(raw(v.decor().prefix())).0.to_owned())
                .unwrap_or_default()
        };
        let now = raw(first.decor().prefix()).to_owned();
        let (head, rest) = first_line(&now);
        let ours = if arrays[1].is_some() {
            opening(arrays[1])
        } else {
            head.to_owned()
        };
        let (merged, _) = merge(&opening(arrays[0]), &ours, &opening(arrays[2]));
        if comments(&merged) != comments(head) {
            first.decor_mut().set_prefix(join_first_line(&merged, rest));
        }
    }
    // Comment lines of their own after the last element.
    let current = raw(Some(array.trailing())).to_owned();
    let (head, rest_now) = first_line(&current);
    let rest_of = |a: Option<&Array>| {
        a.map(|a| {
            first_line(raw(Some(a.trailing())))
                .1
                .unwrap_or("")
                .to_owned()
        })
    };
    let ours = rest_of(arrays[1]).unwrap_or_else(|| rest_now.unwrap_or("").to_owned());
    let (merged, _) = merge(
        &rest_of(arrays[0]).unwrap_or_default(),
        &ours,
        &rest_of(arrays[2]).unwrap_or_default(),
    );
    if comments(&merged) != comments(rest_now.unwrap_or("")) {
        array.set_trailing(join_first_line(head, Some(&merged)));
    }
}

/// Each element's value and which occurrence of that value it is.
fn identities(array: &Array) -> Vec<(Plain, usize)> {
    let mut out: Vec<(Plain, usize)> = Vec::new();
    for value in array.iter() {
        let plain = plain_value(value);
        let n = out.iter().filter(|(p, _)| *p == plain).count();
        out.push((plain, n));
    }
    out
}

/// The text after element `i` whose first line ends the element's line:
/// the next element's prefix, or the array's trailing text after a
/// trailing comma. (Without the comma it is in the element's own suffix.)
fn gap_after(array: &Array, i: usize) -> Option<&str> {
    if i + 1 < array.len() {
        array.get(i + 1).map(|v| raw(v.decor().prefix()))
    } else if array.trailing_comma() {
        Some(raw(Some(array.trailing())))
    } else {
        None
    }
}

fn set_gap_after(array: &mut Array, i: usize, text: String) {
    if i + 1 < array.len() {
        if let Some(next) = array.get_mut(i + 1) {
            next.decor_mut().set_prefix(text);
        }
    } else {
        array.set_trailing(text);
    }
}

/// The first line of a text (without its newline), and what follows the
/// newline (`None` when there is none).
fn first_line(text: &str) -> (&str, Option<&str>) {
    match text.find('\n') {
        Some(i) => (&text[..i], Some(&text[i + 1..])),
        None => (text, None),
    }
}

fn join_first_line(head: &str, rest: Option<&str>) -> String {
    match rest {
        Some(rest) => format!("{head}\n{rest}"),
        // A comment ends its line.
        None if head.contains('#') => format!("{head}\n"),
        None => head.to_owned(),
    }
}

#[derive(Clone, Copy)]
enum Part {
    Prefix,
    Suffix,
}

fn part(decor: &Decor, part: Part) -> &str {
    raw(match part {
        Part::Prefix => decor.prefix(),
        Part::Suffix => decor.suffix(),
    })
}

fn raw(text: Option<&RawString>) -> &str {
    text.and_then(RawString::as_str).unwrap_or("")
}

fn set(decor: &mut Decor, which: Part, text: String) {
    match which {
        Part::Prefix => decor.set_prefix(text),
        Part::Suffix => decor.set_suffix(text),
    }
}

/// Merges one place of `current` (the result's), where ours is ours' own
/// when ours has the item, and the result's otherwise (the item came from
/// theirs). Returns the comment for the line above, if any.
fn place(current: &mut Decor, which: Part, sides: Three<'_, Decor>) -> Option<String> {
    let now = part(current, which).to_owned();
    let ours = sides.ours.map_or(now.as_str(), |d| part(d, which));
    let (merged, above) = merge(
        sides.base.map_or("", |d| part(d, which)),
        ours,
        sides.theirs.map_or("", |d| part(d, which)),
    );
    if comments(&merged) != comments(&now) {
        set(current, which, merged);
    }
    above
}

/// The lines above an item, with `extra` (a comment that lost its place at
/// the end of the item's line) added just above the item.
fn lines_above(current: &mut Decor, sides: Three<'_, Decor>, extra: Option<String>) {
    // Lines above never produce a comment of their own for above.
    let _ = place(current, Part::Prefix, sides);
    if let Some(line) = extra {
        let prefix = with_line_above(part(current, Part::Prefix), &line);
        current.set_prefix(prefix);
    }
}

/// `prefix` with `line` added as the last line before the item, indented
/// as the item is.
fn with_line_above(prefix: &str, line: &str) -> String {
    let cut = prefix.rfind('\n').map_or(0, |i| i + 1);
    let (head, indent) = prefix.split_at(cut);
    let indent = if indent.trim().is_empty() { indent } else { "" };
    format!("{head}{indent}{line}\n{indent}")
}

/// The comments of a place's text, as they read.
fn comments(text: &str) -> Vec<&str> {
    text.split_inclusive('\n')
        .filter_map(|line| {
            let line = line.trim();
            line.starts_with('#').then_some(line)
        })
        .collect()
}

/// Three-way merge of one place's text. Returns the result's text and,
/// when both sides changed a comment at the end of a line, theirs for a
/// line of its own above.
fn merge(base: &str, ours: &str, theirs: &str) -> (String, Option<String>) {
    let (b, o, t) = (comments(base), comments(ours), comments(theirs));
    if t == b || t == o {
        return (ours.to_owned(), None);
    }
    if ![base, ours, theirs].iter().any(|s| s.contains('\n')) {
        // The rest of one line: one comment at most.
        if o == b {
            return (theirs.to_owned(), None);
        }
        return (ours.to_owned(), t.first().map(|c| (*c).to_owned()));
    }
    (merge_lines(base, ours, theirs), None)
}

/// Ours' lines, less the comment lines theirs removed, plus those theirs
/// added, each after the line it follows in theirs. Each comment line is
/// there as many times as a three-way merge of its counts says.
fn merge_lines(base: &str, ours: &str, theirs: &str) -> String {
    let is_comment = |line: &str| line.trim_start().starts_with('#');
    let count = |text: &str, key: &str| {
        text.split_inclusive('\n')
            .filter(|l| is_comment(l) && l.trim() == key)
            .count()
    };
    let wanted = |key: &str| {
        let (b, o, t) = (count(base, key), count(ours, key), count(theirs, key));
        if o == b {
            t
        } else if t == b {
            o
        } else {
            o.max(t)
        }
    };
    let mut kept: HashMap<String, usize> = HashMap::new();
    let mut out: Vec<String> = Vec::new();
    for line in ours.split_inclusive('\n') {
        if is_comment(line) {
            let key = line.trim().to_owned();
            let n = kept.entry(key.clone()).or_default();
            if *n >= wanted(&key) {
                continue;
            }
            *n += 1;
        }
        out.push(line.to_owned());
    }
    // Insert theirs' new lines after the line before them in theirs, and
    // never after an unfinished last line (the indentation of what follows).
    let mut at = 0;
    for line in theirs.split_inclusive('\n') {
        let key = line.trim();
        if let Some(i) = out[at..].iter().position(|l| l.trim() == key) {
            at += i + 1;
            continue;
        }
        if !is_comment(line) {
            continue;
        }
        let n = kept.entry(key.to_owned()).or_default();
        if *n >= wanted(key) {
            continue;
        }
        *n += 1;
        let last_open = out.last().is_some_and(|l| !l.ends_with('\n'));
        let at_most = if last_open { out.len() - 1 } else { out.len() };
        let i = at.min(at_most);
        let mut line = line.to_owned();
        if !line.ends_with('\n') {
            line.push('\n');
        }
        out.insert(i, line);
        at = i + 1;
    }
    out.concat()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn carried(base: &str, ours: &str, theirs: &str, result: &str) -> String {
        let parse = |t: &str| t.parse::<DocumentMut>().unwrap();
        let mut out = parse(result);
        carry(&mut out, &parse(base), &parse(ours), &parse(theirs));
        out.to_string()
    }

    #[test]
    fn a_comment_theirs_added_arrives_in_ours() {
        let base = "a = 1\nb = 2\n";
        let theirs = "# header\na = 1  # one\n# about b\nb = 2\n# the end\n";
        let ours = "a = 1\nb = 3\n";
        assert_eq!(
            carried(base, ours, theirs, ours),
            "# header\na = 1  # one\n# about b\nb = 3\n# the end\n"
        );
    }

    #[test]
    fn a_comment_theirs_removed_is_removed_and_ours_stay() {
        let base = "# old\na = 1  # old too\n";
        let theirs = "a = 1\n";
        let ours = "# old\n# mine\na = 2  # old too\n";
        assert_eq!(carried(base, ours, theirs, ours), "# mine\na = 2\n");
    }

    #[test]
    fn both_sides_changing_one_comment_keep_both() {
        let base = "a = 1  # x\n";
        let ours = "a = 1  # ours\n";
        let theirs = "a = 1  # theirs\n";
        assert_eq!(
            carried(base, ours, theirs, ours),
            "# theirs\na = 1  # ours\n"
        );
        let base = "# x\na = 1\n";
        let ours = "# ours\na = 1\n";
        let theirs = "# theirs\na = 1\n";
        // Theirs' new line goes where it is in theirs: before what follows it.
        assert_eq!(
            carried(base, ours, theirs, ours),
            "# theirs\n# ours\na = 1\n"
        );
    }

    #[test]
    fn comments_in_arrays_tables_and_arrays_of_tables_are_carried() {
        let base = "x = [\n    \"a\",\n    \"b\",\n]\n\n[[c]]\ntext = \"t\"\n\n[m]\nk = 1\n";
        let theirs = "x = [\n    \"a\",  # first\n    # before b\n    \"b\",\n    # last\n]\n\n\
                      # criteria\n[[c]]  # hdr\ntext = \"t\"  # it\n\n[m]\n# k\nk = 1  # one\n";
        let ours =
            "x = [\n    \"a\",\n    \"b\",\n]\n\n[[c]]\ntext = \"t\"\nmet = true\n\n[m]\nk = 2\n";
        assert_eq!(
            carried(base, ours, theirs, ours),
            "x = [\n    \"a\",  # first\n    # before b\n    \"b\",\n    # last\n]\n\n\
             # criteria\n[[c]]  # hdr\ntext = \"t\"  # it\nmet = true\n\n[m]\n# k\nk = 2  # one\n"
        );
    }

    #[test]
    fn a_result_taken_from_theirs_gets_ours_comments_back() {
        let base = "[w]\nby = \"a\"\n";
        let ours = "# why\n[w]\nby = \"a\"  # me\n";
        let theirs = "[w]\nby = \"b\"\n";
        assert_eq!(
            carried(base, ours, theirs, theirs),
            "# why\n[w]\nby = \"b\"  # me\n"
        );
    }

    #[test]
    fn the_comment_on_an_elements_line_goes_with_the_element() {
        let base = "x = [\n    \"a\",\n    \"b\",\n]\n";
        // Theirs comments on a; ours removed a: the comment goes with it.
        let theirs = "x = [\n    \"a\",  # about a\n    \"b\",  # about b\n]\n";
        let ours = "x = [\n    \"b\",\n]\n";
        assert_eq!(
            carried(base, ours, theirs, ours),
            "x = [\n    \"b\",  # about b\n]\n"
        );
        // Without a trailing comma the last line's comment is the last
        // element's own.
        let base = "x = [\n    \"a\",\n    \"b\"\n]\n";
        let theirs = "x = [\n    \"a\",\n    \"b\"  # about b\n    # the end\n]\n";
        let ours = "x = [\n    \"a\",\n    \"b\",\n    \"c\"\n]\n";
        assert_eq!(
            carried(base, ours, theirs, ours),
            "x = [\n    \"a\",\n    \"b\"  # about b\n    # the end\n,\n    \"c\"\n]\n"
        );
    }
}
