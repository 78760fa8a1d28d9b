//! Where output goes and how it looks: tables for people, JSON and CSV for
//! programs, labelled lines for single records.
//!
//! Everything is written to a buffered stdout; write errors (such as a closed
//! pipe) travel back to `main` as `io::Error`s.

use std::io::{self, BufWriter, IsTerminal, Stdout, Write};

use serde::Serialize;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use crate::cli::{ListFormat, ShowFormat};

/// Columns between two table columns.
const GAP: usize = 2;
/// The width when COLUMNS is not set and stdout is not a terminal.
const DEFAULT_WIDTH: usize = 80;

/// A record that can be listed: a few columns in a table, every field in CSV,
/// and its view as JSON.
pub trait Row: Serialize + Sized + 'static {
    /// The table's columns, each its header beside how its cell is written.
    const TABLE: &'static [Column<Self>];
    const CSV: &'static [&'static str];
    fn csv(&self) -> Vec<String>;
}

/// A column of a table: its header, and a row's cell in it.
pub type Column<R> = (&'static str, fn(&R) -> String);

/// The id and name of a reference as two CSV cells, empty when absent.
pub fn ref_cells(r: &Option<nspm_core::view::Ref>) -> [String; 2] {
    r.as_ref()
        .map(|r| [r.id.clone(), r.name.clone()])
        .unwrap_or_default()
}

/// Buffered standard output and what is known about the terminal.
#[derive(Debug)]
pub struct Output {
    w: BufWriter<Stdout>,
    /// Bold headers: only on a terminal, and never when NO_COLOR is set.
    bold: bool,
    width: usize,
}

impl Output {
    pub fn stdout() -> Output {
        let stdout = io::stdout();
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let bold = stdout.is_terminal() && !no_color;
        let terminal = terminal_size::terminal_size_of(&stdout).map(|(w, _)| usize::from(w.0));
        let width = width(std::env::var("COLUMNS").ok().as_deref(), terminal);
        Output {
            w: BufWriter::new(stdout),
            bold,
            width,
        }
    }

    /// Prints records in the chosen format.
    pub fn list<R: Row>(&mut self, format: ListFormat, rows: &[R]) -> io::Result<()> {
        match format {
            ListFormat::Table => {
                let header: Vec<&str> = R::TABLE.iter().map(|(header, _)| *header).collect();
                let cells: Vec<Vec<String>> = rows
                    .iter()
                    .map(|row| R::TABLE.iter().map(|(_, cell)| cell(row)).collect())
                    .collect();
                self.table(&header, &cells)
            }
            ListFormat::Json => self.json(rows),
            ListFormat::Csv => {
                let mut csv = csv::Writer::from_writer(&mut self.w);
                csv.write_record(R::CSV)?;
                for row in rows {
                    csv.write_record(row.csv())?;
                }
                csv.flush()
            }
        }
    }

    /// Prints one record: its view as JSON, or as `text` writes it.
    pub fn record<V: Serialize>(
        &mut self,
        format: ShowFormat,
        view: &V,
        text: impl FnOnce(&mut Output) -> io::Result<()>,
    ) -> io::Result<()> {
        match format {
            ShowFormat::Json => self.json(view),
            ShowFormat::Text => text(self),
        }
    }

    /// Prints a table of cells that fits the output's width.
    pub fn table(&mut self, header: &[&str], rows: &[Vec<String>]) -> io::Result<()> {
        let text = table(header, rows, self.width, self.bold);
        self.w.write_all(text.as_bytes())
    }

    /// Prints prose wrapped to the output's width: the first line starts with
    /// `first`, the others are indented as far.
    pub fn paragraph(&mut self, first: &str, text: &str) -> io::Result<()> {
        let indent = " ".repeat(first.width());
        let mut line = first.to_string();
        let mut empty = true;
        for word in text.split_whitespace() {
            if !empty && line.width() + 1 + word.width() > self.width {
                writeln!(self.w, "{line}")?;
                line = indent.clone();
                empty = true;
            }
            if !empty {
                line.push(' ');
            }
            line.push_str(word);
            empty = false;
        }
        writeln!(self.w, "{}", line.trim_end())
    }

    /// Prints a value as pretty JSON and a newline.
    pub fn json<T: Serialize + ?Sized>(&mut self, value: &T) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut self.w, value)?;
        self.w.write_all(b"\n")
    }

    /// Prints labelled lines, labels aligned; empty values are left out.
    pub fn fields(&mut self, fields: &[(&str, String)]) -> io::Result<()> {
        let shown: Vec<_> = fields.iter().filter(|(_, v)| !v.is_empty()).collect();
        let pad = shown.iter().map(|(l, _)| l.width()).max().unwrap_or(0) + 1;
        for (label, value) in shown {
            let label = format!("{label}:");
            writeln!(self.w, "{label:<w$} {value}", w = pad)?;
        }
        Ok(())
    }

    pub fn flush(&mut self) -> io::Result<()> {
        self.w.flush()
    }
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.w.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.w.flush()
    }
}

/// The width output fits: COLUMNS when it is set to a number (so a script
/// or a test can ask for one), else the terminal's when stdout is one, else
/// 80. Shells do not export COLUMNS, so in a terminal its own width counts.
fn width(columns: Option<&str>, terminal: Option<usize>) -> usize {
    let positive = |c: &usize| *c > 0;
    columns
        .and_then(|c| c.trim().parse::<usize>().ok())
        .filter(positive)
        // A terminal whose size was never set reports 0 columns.
        .or(terminal.filter(positive))
        .unwrap_or(DEFAULT_WIDTH)
}

/// Lays out a table within `width` columns. While it is too wide, the widest
/// column loses a column at a time, and cells cut short end in '…'. Widths
/// are counted as a terminal shows them, so "ø" is one and "北" two.
pub fn table(header: &[&str], rows: &[Vec<String>], width: usize, bold: bool) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.width()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.width());
        }
    }
    let mut total = widths.iter().sum::<usize>() + GAP * widths.len().saturating_sub(1);
    while total > width {
        // The first of the widest columns, so the result does not depend on
        // anything but the cells.
        let Some((i, &w)) = widths
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(&a.0)))
        else {
            break;
        };
        if w <= 1 {
            break;
        }
        widths[i] -= 1;
        total -= 1;
    }

    let mut out = String::new();
    let header: Vec<String> = header.iter().map(|h| h.to_string()).collect();
    for (n, row) in std::iter::once(&header).chain(rows).enumerate() {
        let mut line = String::new();
        for (i, (cell, &w)) in row.iter().zip(&widths).enumerate() {
            if i > 0 {
                line.push_str(&" ".repeat(GAP));
            }
            let cell = fit(cell, w);
            line.push_str(&cell);
            line.push_str(&" ".repeat(w - cell.width()));
        }
        let line = line.trim_end();
        if n == 0 && bold {
            out.push_str(&format!("\x1b[1m{line}\x1b[0m\n"));
        } else {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// The cell cut to at most `width` columns, ending in '…' when cut.
fn fit(cell: &str, width: usize) -> String {
    if cell.width() <= width {
        return cell.to_string();
    }
    let room = width.saturating_sub(1);
    let mut used = 0;
    let mut out = String::new();
    for c in cell.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > room {
            break;
        }
        used += w;
        out.push(c);
    }
    if width > 0 {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(cells: &[&[&str]]) -> Vec<Vec<String>> {
        cells
            .iter()
            .map(|r| r.iter().map(|c| c.to_string()).collect())
            .collect()
    }

    #[test]
    fn narrow_tables_are_left_alone() {
        let t = table(&["ID", "NAME"], &rows(&[&["a", "Søren"]]), 80, false);
        assert_eq!(t, "ID  NAME\na   Søren\n");
    }

    #[test]
    fn the_widest_column_is_cut_with_an_ellipsis() {
        let t = table(
            &["A", "B"],
            &rows(&[&["x", "Norwegian University of Science and Technology"]]),
            20,
            false,
        );
        assert_eq!(t, "A  B\nx  Norwegian Univer…\n");
        assert!(t.lines().all(|l| l.width() <= 20));
    }

    #[test]
    fn widths_count_terminal_columns() {
        // Each of these characters takes two columns.
        let t = table(&["A"], &rows(&[&["北京大学医学部"]]), 6, false);
        assert_eq!(t, "A\n北京…\n");
        assert_eq!(fit("Børglum", 5), "Børg…");
    }

    #[test]
    fn columns_wins_then_the_terminal_then_80() {
        assert_eq!(width(Some("120"), Some(200)), 120);
        assert_eq!(width(Some(" 60 "), None), 60);
        assert_eq!(width(None, Some(200)), 200);
        assert_eq!(width(Some("wide"), Some(200)), 200);
        assert_eq!(width(None, None), 80);
        assert_eq!(width(Some("0"), Some(150)), 150);
        assert_eq!(width(Some("0"), Some(0)), 80);
    }

    #[test]
    fn bold_headers_are_wrapped_in_escapes() {
        let t = table(&["ID"], &rows(&[&["a"]]), 80, true);
        assert_eq!(t, "\x1b[1mID\x1b[0m\na\n");
    }
}
