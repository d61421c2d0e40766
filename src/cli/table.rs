//! Columns of text that line up: the one place that pads a cell.
//!
//! A cell's width is the number of characters it shows, so colour codes
//! (an id with its highlighted prefix, a painted state) do not count, and
//! a table lines up the same coloured or not. Padding follows `format!`'s
//! `{:<N}`: one character, one column.

use std::fmt;
use std::io::{self, Write};

/// Which side of a column the padding goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    /// Text: padded on the right.
    Left,
    /// Numbers: padded on the left.
    Right,
}

/// How one column is laid out: its alignment, the width it takes at
/// least, and the text between it and the column before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    align: Align,
    min: usize,
    gap: &'static str,
}

impl Column {
    /// A column padded on the right, two spaces after the one before.
    pub const fn left() -> Column {
        Column {
            align: Align::Left,
            min: 0,
            gap: "  ",
        }
    }

    /// A column padded on the left (numbers), two spaces after the one
    /// before.
    pub const fn right() -> Column {
        Column {
            align: Align::Right,
            min: 0,
            gap: "  ",
        }
    }

    /// At least `width` characters wide, for a column whose header or
    /// neighbours expect a fixed width.
    pub const fn min(mut self, width: usize) -> Column {
        self.min = width;
        self
    }

    /// `gap` between this column and the one before it (ignored for the
    /// first column, which the table's indent starts).
    pub const fn gap(mut self, gap: &'static str) -> Column {
        self.gap = gap;
        self
    }
}

/// One line of a table.
#[derive(Debug)]
struct Row {
    cells: Vec<String>,
    /// The last cell runs on to the end of the line and widens no column.
    spans: bool,
}

/// Rows of cells under [`Column`]s, written with each column as wide as
/// its widest cell. A row may have fewer cells than there are columns; a
/// left-aligned cell that ends its row is not padded, so no line ends in
/// spaces.
#[derive(Debug)]
pub struct Table {
    columns: Vec<Column>,
    indent: &'static str,
    rows: Vec<Row>,
}

impl Table {
    /// A table of `columns`, with no rows and no indent yet.
    pub fn new(columns: impl Into<Vec<Column>>) -> Table {
        Table {
            columns: columns.into(),
            indent: "",
            rows: Vec::new(),
        }
    }

    /// Text at the start of every line.
    pub fn indent(mut self, indent: &'static str) -> Table {
        self.indent = indent;
        self
    }

    /// Adds a row; every cell counts for its column's width.
    pub fn row<S: Into<String>>(&mut self, cells: impl IntoIterator<Item = S>) {
        self.push(cells, false);
    }

    /// Adds a row whose last cell is free text running to the end of the
    /// line (a reason under a gate, a continuation line): it starts where
    /// its column starts but does not make that column wider.
    pub fn spanning<S: Into<String>>(&mut self, cells: impl IntoIterator<Item = S>) {
        self.push(cells, true);
    }

    fn push<S: Into<String>>(&mut self, cells: impl IntoIterator<Item = S>, spans: bool) {
        let cells: Vec<String> = cells.into_iter().map(Into::into).collect();
        debug_assert!(cells.len() <= self.columns.len(), "more cells than columns");
        self.rows.push(Row { cells, spans });
    }

    /// The width of each column: its minimum, or its widest cell.
    fn widths(&self) -> Vec<usize> {
        let mut widths: Vec<usize> = self.columns.iter().map(|c| c.min).collect();
        for row in &self.rows {
            let counted = row.cells.len() - usize::from(row.spans);
            for (n, cell) in row.cells.iter().take(counted).enumerate() {
                if let Some(w) = widths.get_mut(n) {
                    *w = (*w).max(width(cell));
                }
            }
        }
        widths
    }

    /// Writes the rows, one line each.
    pub fn write(&self, out: &mut impl Write) -> io::Result<()> {
        write!(out, "{self}")
    }
}

/// The rows, one line each, every line ending in a newline: for a table
/// inside a message rather than on a stream.
impl fmt::Display for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let widths = self.widths();
        for row in &self.rows {
            f.write_str(self.indent)?;
            for (n, cell) in row.cells.iter().enumerate() {
                let column = self.columns.get(n).copied().unwrap_or(Column::left());
                if n > 0 {
                    f.write_str(column.gap)?;
                }
                let last = n + 1 == row.cells.len();
                let pad = widths
                    .get(n)
                    .copied()
                    .unwrap_or(0)
                    .saturating_sub(width(cell));
                match column.align {
                    Align::Right => write!(f, "{:pad$}{cell}", "")?,
                    Align::Left if last => f.write_str(cell)?,
                    Align::Left => write!(f, "{cell}{:pad$}", "")?,
                }
            }
            f.write_str("\n")?;
        }
        Ok(())
    }
}

/// The characters `cell` shows: its text without the escape codes.
pub fn width(cell: &str) -> usize {
    anstream::adapter::strip_str(cell)
        .map(|s| s.chars().count())
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::ui::{paint, palette};

    fn written(table: &Table) -> String {
        let mut out = Vec::new();
        table.write(&mut out).expect("write to a Vec");
        String::from_utf8(out).expect("UTF-8")
    }

    #[test]
    fn columns_take_the_width_of_their_widest_cell_and_the_last_is_not_padded() {
        let mut t = Table::new([Column::left(), Column::right(), Column::left()]).indent("  ");
        t.row(["a", "1", "one"]);
        t.row(["bbb", "100", "x"]);
        t.row(["cc", "10"]);
        assert_eq!(written(&t), "  a      1  one\n  bbb  100  x\n  cc    10\n");
    }

    #[test]
    fn colour_codes_do_not_count_for_the_width() {
        let id = format!(
            "{}{}",
            paint(palette::ID_PREFIX, "ab"),
            paint(palette::ID_REST, "cd")
        );
        let mut t = Table::new([Column::left(), Column::left().gap(" ")]);
        t.row([id.as_str(), "first"]);
        t.row(["abcdef", "second"]);
        let out = written(&t);
        assert!(out.contains('\x1b'), "{out:?}");
        let plain = anstream::adapter::strip_str(&out).to_string();
        assert_eq!(plain, "abcd   first\nabcdef second\n");
    }

    #[test]
    fn a_minimum_width_holds_and_a_wider_cell_widens_its_column_for_every_row() {
        let mut t = Table::new([Column::left().min(5), Column::left().gap(" ")]);
        t.row(["ab", "x"]);
        assert_eq!(written(&t), "ab    x\n");
        t.row(["a wide cell", "y"]);
        assert_eq!(written(&t), "ab          x\na wide cell y\n");
    }

    #[test]
    fn a_spanning_cell_widens_no_column() {
        let mut t = Table::new([Column::left(), Column::left().min(3), Column::left()]);
        t.row(["id", "red", "subject"]);
        t.spanning(["", "a reason much wider than the state column"]);
        assert_eq!(
            written(&t),
            "id  red  subject\n    a reason much wider than the state column\n"
        );
    }

    #[test]
    fn characters_count_not_bytes() {
        let mut t = Table::new([Column::left(), Column::left()]);
        t.row(["└─ é", "x"]);
        t.row(["abcd", "y"]);
        assert_eq!(written(&t), "└─ é  x\nabcd  y\n");
    }

    #[test]
    fn an_empty_table_writes_nothing() {
        let t = Table::new([Column::left(), Column::right()]).indent("  ");
        assert_eq!(written(&t), "");
    }
}
