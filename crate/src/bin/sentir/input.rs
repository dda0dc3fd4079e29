//! The posts of a file or of stdin, for `sentir analyze --input`: CSV or TSV with a header row, JSON lines, or
//! plain text with one post per line, read as a stream (a file is never held whole). A row that cannot be read
//! (bytes that are not UTF-8, a missing column, a JSON line that is not an object with the field) is an `Err`
//! row: counted and reported, never the end of the file.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;

/// How a file's posts are laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Format {
    /// Comma-separated, with a header row; fields may be quoted.
    Csv,
    /// Tab-separated, with a header row; no quoting.
    Tsv,
    /// One JSON object per line.
    Jsonl,
    /// One post per line; blank lines are skipped.
    Text,
}

impl Format {
    /// The format a file's extension names (`.csv`, `.tsv`/`.tab`, `.jsonl`/`.ndjson`), else text.
    pub(crate) fn of_path(path: &Path) -> Format {
        match path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
            Some("csv") => Format::Csv,
            Some("tsv" | "tab") => Format::Tsv,
            Some("jsonl" | "ndjson") => Format::Jsonl,
            _ => Format::Text,
        }
    }
}

/// Which fields to read: the text's column (or JSON field) and, optionally, a group's and a time's.
pub(crate) struct Columns<'a> {
    pub(crate) text: &'a str,
    pub(crate) group: Option<&'a str>,
    pub(crate) time: Option<&'a str>,
}

/// One post, or why its row could not be read.
pub(crate) struct Row {
    /// 1-based line of the input where the row starts.
    pub(crate) line: u64,
    pub(crate) post: Result<Post, String>,
}

pub(crate) struct Post {
    pub(crate) text: String,
    pub(crate) group: Option<String>,
    pub(crate) time: Option<String>,
}

/// The rows of `input` (named `name` in messages) in `format`. Fails only when the input as a whole cannot be
/// read as posts: it is not text, or its header lacks a column that was asked for.
pub(crate) fn rows<'a>(
    input: impl Read + 'a,
    name: &str,
    format: Format,
    columns: &Columns,
) -> Result<Box<dyn Iterator<Item = Row> + 'a>, String> {
    let mut input = BufReader::with_capacity(1 << 16, input);
    let start = input.fill_buf().map_err(|e| format!("cannot read {name}: {e}"))?;
    if start.contains(&0) {
        return Err(format!(
            "{name} does not look like text (it holds NUL bytes); sentir reads CSV, TSV, JSON lines or plain text"
        ));
    }
    Ok(match format {
        Format::Csv | Format::Tsv => delimited(input, name, format, columns)?,
        Format::Jsonl => {
            let (text, group, time) =
                (columns.text.to_owned(), columns.group.map(str::to_owned), columns.time.map(str::to_owned));
            Box::new(lines(input).map(move |(line, bytes)| Row {
                line,
                post: bytes.and_then(|bytes| json_post(&bytes, &text, group.as_deref(), time.as_deref())),
            }))
        }
        Format::Text => Box::new(lines(input).map(|(line, bytes)| {
            let post = bytes.and_then(|bytes| {
                let text = String::from_utf8(bytes).map_err(|_| "the line is not UTF-8 text".to_owned())?;
                Ok(Post { text, group: None, time: None })
            });
            Row { line, post }
        })),
    })
}

/// Each non-blank line's number and bytes, without its line ending; a read error is the last item.
fn lines(input: impl BufRead) -> impl Iterator<Item = (u64, Result<Vec<u8>, String>)> {
    let read =
        input.split(b'\n').scan(false, |failed, line| (!std::mem::replace(failed, line.is_err())).then_some(line));
    read.zip(1..)
        .map(|(line, number)| {
            let line = line.map_err(|e| format!("cannot read further: {e}")).map(|mut line| {
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                line
            });
            (number, line)
        })
        .filter(|(_, line)| line.as_ref().map_or(true, |line| !line.trim_ascii().is_empty()))
}

fn json_post(line: &[u8], text: &str, group: Option<&str>, time: Option<&str>) -> Result<Post, String> {
    let value: serde_json::Value = serde_json::from_slice(line).map_err(|e| format!("not JSON: {e}"))?;
    let field = |name: &str| match value.get(name) {
        Some(serde_json::Value::String(s)) => Ok(s.clone()),
        Some(serde_json::Value::Null) | None => Err(format!("the object has no field `{name}`")),
        // A group or a time may be a number (a Unix time) or a boolean: it is taken as its JSON text.
        Some(other) if name != text => Ok(other.to_string()),
        Some(other) => Err(format!("field `{name}` is not a string but {other}")),
    };
    Ok(Post { text: field(text)?, group: group.map(field).transpose()?, time: time.map(field).transpose()? })
}

fn delimited<'a>(
    input: impl Read + 'a,
    name: &str,
    format: Format,
    columns: &Columns,
) -> Result<Box<dyn Iterator<Item = Row> + 'a>, String> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(if format == Format::Tsv { b'\t' } else { b',' })
        .quoting(format == Format::Csv)
        .flexible(true)
        .from_reader(input);
    let header = reader.byte_headers().map_err(|e| format!("cannot read the header row of {name}: {e}"))?.clone();
    let names: Vec<String> = header.iter().map(|h| String::from_utf8_lossy(h).trim().to_owned()).collect();
    let column = |wanted: &str| {
        names.iter().position(|n| n == wanted).ok_or_else(|| {
            format!("{name}: the header row has no column `{wanted}`; its columns are {names:?} (choose with --column)")
        })
    };
    let text = column(columns.text)?;
    let group = columns.group.map(column).transpose()?;
    let time = columns.time.map(column).transpose()?;
    Ok(Box::new(reader.into_byte_records().map(move |record| {
        let record = match record {
            Ok(record) => record,
            Err(error) => {
                let line = error.position().map_or(0, csv::Position::line);
                return Row { line, post: Err(format!("cannot read the row: {error}")) };
            }
        };
        let line = record.position().map_or(0, csv::Position::line);
        let field = |index: usize| match record.get(index) {
            Some(bytes) => String::from_utf8(bytes.to_vec()).map_err(|_| "the row is not UTF-8 text".to_owned()),
            None => Err(format!("the row has {} fields, too few for column {}", record.len(), index + 1)),
        };
        let post = field(text).and_then(|text| {
            Ok(Post { text, group: group.map(field).transpose()?, time: time.map(field).transpose()? })
        });
        Row { line, post }
    })))
}
