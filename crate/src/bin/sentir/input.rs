//! The posts of a file or of stdin, for `sentir analyze --input`: CSV or TSV with a header row, JSON lines, or
//! plain text with one post per line, read as a stream (a file is never held whole, nor a line: see
//! [`line_cap`]); and the lines of `sentir analyze --jsonl` ([`text_lines`]). A UTF-8 byte order mark at the
//! start is skipped, whatever the format. A row that cannot be read (bytes that are not UTF-8, a line longer than
//! the cap, a missing column, a JSON line that is not an object with the field) is an `Err` row: counted and
//! reported, never the end of the file.
//!
//! In JSON lines the text's field must be a string. A group's or a time's may also be a number (a Unix time) or a
//! boolean, taken as its JSON text, or `null`: no group (the post counts in the whole only) or no time (it counts
//! as undated); a missing field is an `Err` row.

use std::io::{BufRead, BufReader, ErrorKind, Read};
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

impl Row {
    /// The row as a collection adds it ([`sentir::Collection::add_rows`]): its post, or why it has none.
    pub(crate) fn post(&self) -> Result<sentir::Post<'_>, &str> {
        match &self.post {
            Ok(post) => Ok(sentir::Post { text: &post.text, group: post.group.as_deref(), time: post.time.as_deref() }),
            Err(message) => Err(message),
        }
    }
}

/// The fewest bytes of one line (one CSV or TSV record) that are read, whatever the model: room for a row's other
/// columns beside its text, and for JSON's escapes.
pub(crate) const MIN_LINE_CAP: usize = 1 << 20;

/// The most bytes of one line (one CSV or TSV record, which may span lines inside quotes) that are read: the
/// longest text the model accepts (`max_text_bytes`: its `max_length` × [`sentir::MAX_BYTES_PER_TOKEN`]), and at
/// least [`MIN_LINE_CAP`]. A longer line is read past without being held, and is an `Err` row.
pub(crate) fn line_cap(max_text_bytes: usize) -> usize {
    max_text_bytes.max(MIN_LINE_CAP)
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Skips a UTF-8 byte order mark at the start of `input`.
fn skip_bom(input: &mut impl BufRead) -> std::io::Result<()> {
    if input.fill_buf()?.starts_with(BOM) {
        input.consume(BOM.len());
    }
    Ok(())
}

/// The rows of `input` (named `name` in messages) in `format`, no line longer than `cap` bytes held (see
/// [`line_cap`]). Fails only when the input as a whole cannot be read as posts: it is not text, or its header lacks
/// a column that was asked for.
pub(crate) fn rows<'a>(
    input: impl Read + 'a,
    name: &str,
    format: Format,
    columns: &Columns,
    cap: usize,
) -> Result<Box<dyn Iterator<Item = Row> + 'a>, String> {
    let mut input = BufReader::with_capacity(1 << 16, input);
    let cannot = |e: std::io::Error| format!("cannot read {name}: {e}");
    skip_bom(&mut input).map_err(cannot)?;
    if input.fill_buf().map_err(cannot)?.contains(&0) {
        return Err(format!(
            "{name} does not look like text (it holds NUL bytes); sentir reads CSV, TSV, JSON lines or plain text"
        ));
    }
    // Blank lines hold no post.
    let lines = move |input| {
        Records::new(input, Split::Lines, cap)
            .filter(|(_, line)| line.as_ref().map_or(true, |line| !line.trim_ascii().is_empty()))
    };
    Ok(match format {
        Format::Csv | Format::Tsv => delimited(input, name, format, columns, cap)?,
        Format::Jsonl => {
            let (text, group, time) =
                (columns.text.to_owned(), columns.group.map(str::to_owned), columns.time.map(str::to_owned));
            Box::new(lines(input).map(move |(line, bytes)| Row {
                line,
                post: bytes.and_then(|bytes| json_post(&bytes, &text, group.as_deref(), time.as_deref())),
            }))
        }
        Format::Text => Box::new(lines(input).map(|(line, bytes)| Row {
            line,
            post: bytes.and_then(utf8).map(|text| Post { text, group: None, time: None }),
        })),
    })
}

/// Every line of `input` (named `name` in messages) as text, blank ones too, with its 1-based number: a line that is
/// not UTF-8 or is longer than `cap` bytes is an `Err`, and so is a read error, the last item.
pub(crate) fn text_lines<'a>(
    input: impl Read + 'a,
    name: &str,
    cap: usize,
) -> Result<impl Iterator<Item = (u64, Result<String, String>)> + 'a, String> {
    let mut input = BufReader::with_capacity(1 << 16, input);
    skip_bom(&mut input).map_err(|e| format!("cannot read {name}: {e}"))?;
    Ok(Records::new(input, Split::Lines, cap).map(|(line, bytes)| (line, bytes.and_then(utf8))))
}

fn utf8(bytes: Vec<u8>) -> Result<String, String> {
    String::from_utf8(bytes).map_err(|_| "the line is not UTF-8 text".to_owned())
}

/// Where a stream's records end.
#[derive(Debug, Clone, Copy)]
enum Split {
    /// At every `\n`; a `\r` before it is dropped. Blank lines are records too.
    Lines,
    /// Where the `csv` crate ends a record of CSV (`quote`: `"`) or TSV (`None`): at `\r`, `\n` or `\r\n` outside a
    /// quoted field; blank lines are skipped.
    Delimited { delimiter: u8, quote: Option<u8> },
}

/// Where the reading of a CSV record stands, as in `csv-core`'s reader: a field is quoted only when it starts with
/// the quote, and in a quoted field a doubled quote is one quote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Start,
    Unquoted,
    Quoted,
    QuoteInQuoted,
}

/// The records of a stream, each with the 1-based line it starts on and its bytes without the line ending. A record
/// of more than `cap` bytes is an `Err`, read past without being held (memory holds one record of at most `cap`
/// bytes, however long a line the input has); a read error is the last item.
#[derive(Debug)]
struct Records<R> {
    input: R,
    split: Split,
    cap: usize,
    /// The line the next byte is on.
    line: u64,
    done: bool,
}

impl<R: BufRead> Records<R> {
    fn new(input: R, split: Split, cap: usize) -> Records<R> {
        Records { input, split, cap, line: 1, done: false }
    }
}

impl<R: BufRead> Iterator for Records<R> {
    type Item = (u64, Result<Vec<u8>, String>);

    fn next(&mut self) -> Option<Self::Item> {
        // `None` once the record is over the cap: what was kept of it is dropped.
        let mut kept = Some(Vec::new());
        let mut start = self.line;
        let mut state = Field::Start;
        let mut begun = false;
        // A `\r` before the `\n` is kept until the line ends, so a line of `cap` bytes may hold one byte more.
        let limit = self.cap.saturating_add(1);
        while !self.done {
            let buf = match self.input.fill_buf() {
                Ok(buf) => buf,
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(e) => {
                    self.done = true;
                    return Some((self.line, Err(format!("cannot read further: {e}"))));
                }
            };
            if buf.is_empty() {
                self.done = true;
                break;
            }
            let mut from = 0;
            let (to, ends) = match self.split {
                Split::Lines => {
                    begun = true;
                    buf.iter().position(|&b| b == b'\n').map_or((buf.len(), false), |at| (at, true))
                }
                Split::Delimited { delimiter, quote } => {
                    if !begun {
                        while let Some(&b @ (b'\r' | b'\n')) = buf.get(from) {
                            self.line += u64::from(b == b'\n');
                            from += 1;
                        }
                        if from == buf.len() {
                            self.input.consume(from);
                            continue;
                        }
                        begun = true;
                        start = self.line;
                    }
                    let mut at = from;
                    let mut ends = false;
                    while let Some(&b) = buf.get(at) {
                        state = match state {
                            Field::Quoted if Some(b) == quote => Field::QuoteInQuoted,
                            Field::Quoted => Field::Quoted,
                            Field::Start | Field::QuoteInQuoted if Some(b) == quote => Field::Quoted,
                            _ if b == b'\r' || b == b'\n' => {
                                ends = true;
                                break;
                            }
                            _ if b == delimiter => Field::Start,
                            _ => Field::Unquoted,
                        };
                        // A line break inside quotes.
                        self.line += u64::from(b == b'\n');
                        at += 1;
                    }
                    (at, ends)
                }
            };
            keep(&mut kept, &buf[from..to], limit);
            // The record's end: a `\n` starts the next line; after a `\r`, a `\n` is skipped as a blank line.
            let newline = ends && buf[to] == b'\n';
            self.input.consume(to + usize::from(ends));
            self.line += u64::from(newline);
            if ends {
                break;
            }
        }
        if !begun {
            return None;
        }
        if let (Split::Lines, Some(line)) = (self.split, &mut kept)
            && line.last() == Some(&b'\r')
        {
            line.pop();
        }
        Some((start, kept.filter(|record| record.len() <= self.cap).ok_or_else(|| self.too_long(start))))
    }
}

impl<R> Records<R> {
    fn too_long(&self, start: u64) -> String {
        let cap = self.cap;
        match self.split {
            Split::Lines => format!("line {start} is longer than {cap} bytes, the most sentir reads of a line"),
            Split::Delimited { .. } => {
                format!("the row from line {start} is longer than {cap} bytes, the most sentir reads of a row")
            }
        }
    }
}

/// Appends `bytes` to `kept`, unless that makes it longer than `limit`: then drops it (`None`), so that a record over
/// the limit is never held.
fn keep(kept: &mut Option<Vec<u8>>, bytes: &[u8], limit: usize) {
    let Some(record) = kept else { return };
    let len = record.len() + bytes.len();
    if len > limit {
        *kept = None;
        return;
    }
    // Grown by doubling, as `Vec` grows, but never past the limit.
    if len > record.capacity() {
        record.reserve_exact(len.max(2 * record.capacity()).min(limit) - record.len());
    }
    record.extend_from_slice(bytes);
}

fn json_post(line: &[u8], text: &str, group: Option<&str>, time: Option<&str>) -> Result<Post, String> {
    let value: serde_json::Value = serde_json::from_slice(line).map_err(|e| format!("not JSON: {e}"))?;
    let missing = |name: &str| format!("the object has no field `{name}`");
    let text = match value.get(text) {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(serde_json::Value::Null) | None => return Err(missing(text)),
        Some(other) => return Err(format!("field `{text}` is not a string but {other}")),
    };
    // A group or a time may be a number (a Unix time) or a boolean: it is taken as its JSON text; `null` is none.
    let optional = |name: &str| match value.get(name) {
        Some(serde_json::Value::String(s)) => Ok(Some(s.clone())),
        Some(serde_json::Value::Null) => Ok(None),
        Some(other) => Ok(Some(other.to_string())),
        None => Err(missing(name)),
    };
    Ok(Post {
        text,
        group: group.map(optional).transpose()?.flatten(),
        time: time.map(optional).transpose()?.flatten(),
    })
}

fn delimited<'a>(
    input: impl BufRead + 'a,
    name: &str,
    format: Format,
    columns: &Columns,
    cap: usize,
) -> Result<Box<dyn Iterator<Item = Row> + 'a>, String> {
    let (delimiter, quoting) = if format == Format::Tsv { (b'\t', false) } else { (b',', true) };
    let mut records = Records::new(input, Split::Delimited { delimiter, quote: quoting.then_some(b'"') }, cap);
    let mut fields = FieldReader::new(delimiter, quoting);
    let header = match records.next() {
        Some((_, Ok(bytes))) => Ok(fields.read(&bytes)),
        Some((_, Err(error))) => Err(error),
        None => Ok(csv::ByteRecord::new()),
    };
    let header = header.map_err(|e| format!("cannot read the header row of {name}: {e}"))?;
    let names: Vec<String> = header.iter().map(|h| String::from_utf8_lossy(h).trim().to_owned()).collect();
    let column = |wanted: &str| {
        names.iter().position(|n| n == wanted).ok_or_else(|| {
            format!("{name}: the header row has no column `{wanted}`; its columns are {names:?} (choose with --column)")
        })
    };
    let text = column(columns.text)?;
    let group = columns.group.map(column).transpose()?;
    let time = columns.time.map(column).transpose()?;
    Ok(Box::new(records.map(move |(line, bytes)| {
        let record = match bytes.map(|bytes| fields.read(&bytes)) {
            Ok(record) => record,
            Err(error) => return Row { line, post: Err(error) },
        };
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

/// The fields of records as [`Records`] ends them, read by `csv-core` (the `csv` crate's parser: quotes and all),
/// one parser for every record of a file: a `csv::Reader` made per record built the parser's tables each time, a
/// fifth of the CLI's work on a CSV of tweets.
struct FieldReader {
    parser: csv_core::Reader,
    bytes: Vec<u8>,
    ends: Vec<usize>,
}

impl FieldReader {
    fn new(delimiter: u8, quoting: bool) -> FieldReader {
        let parser = csv_core::ReaderBuilder::new().delimiter(delimiter).quoting(quoting).build();
        FieldReader { parser, bytes: Vec::new(), ends: Vec::new() }
    }

    /// `record`'s fields, read as a `csv::Reader` reads a file of that one record (none for an empty record).
    fn read(&mut self, record: &[u8]) -> csv::ByteRecord {
        use csv_core::ReadRecordResult;
        self.parser.reset();
        // Unquoting only shortens, and there is one field more than delimiters: room enough in one call.
        self.bytes.resize(record.len().max(1), 0);
        self.ends.resize(record.len() + 1, 0);
        let (mut input, mut written, mut ended) = (record, 0, 0);
        let mut fields = csv::ByteRecord::new();
        loop {
            let (result, read, wrote, ends) =
                self.parser.read_record(input, &mut self.bytes[written..], &mut self.ends[ended..]);
            (input, written, ended) = (&input[read..], written + wrote, ended + ends);
            match result {
                // The record's end is the end of the input, which an empty input tells the parser.
                ReadRecordResult::InputEmpty => continue,
                ReadRecordResult::OutputFull => self.bytes.resize(2 * self.bytes.len(), 0),
                ReadRecordResult::OutputEndsFull => self.ends.resize(2 * self.ends.len(), 0),
                ReadRecordResult::Record => {
                    let mut start = 0;
                    for &end in &self.ends[..ended] {
                        fields.push_field(&self.bytes[start..end]);
                        start = end;
                    }
                    return fields;
                }
                ReadRecordResult::End => return fields,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The records `Records` makes of `input`, lossily as text, with their lines.
    fn split(input: &[u8], split: Split, cap: usize) -> Vec<(u64, Result<String, String>)> {
        Records::new(input, split, cap)
            .map(|(line, record)| (line, record.map(|bytes| String::from_utf8_lossy(&bytes).into_owned())))
            .collect()
    }

    const CSV: Split = Split::Delimited { delimiter: b',', quote: Some(b'"') };

    #[test]
    fn csv_records_end_where_the_csv_crate_ends_them() {
        let input = b"a,b\r\n\n\"x\ny\",\"say \"\"hi\"\"\"\r\nun\"quoted,2\rlast,,\"\"\n\"open,end";
        let records = split(input, CSV, 100);
        let ok = |line, text: &str| (line, Ok(text.to_owned()));
        let expected = [
            ok(1, "a,b"),
            ok(3, "\"x\ny\",\"say \"\"hi\"\"\""),
            ok(5, "un\"quoted,2"),
            ok(5, "last,,\"\""),
            ok(6, "\"open,end"),
        ];
        assert_eq!(records, expected);
        // And each is one record of the csv crate, read whole; one FieldReader reads them all.
        let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(&input[..]);
        let whole: Vec<csv::ByteRecord> = reader.byte_records().map(|r| r.expect("a record")).collect();
        let mut fields = FieldReader::new(b',', true);
        let parts: Vec<csv::ByteRecord> =
            records.iter().map(|(_, record)| fields.read(record.as_ref().expect("a record").as_bytes())).collect();
        assert_eq!(parts, whole);
        assert_eq!(parts[3].iter().collect::<Vec<_>>(), [&b"last"[..], b"", b""]);
    }

    #[test]
    fn a_line_over_the_cap_is_an_error_and_reading_goes_on_at_the_next() {
        // A small buffer, so the long line arrives in many reads.
        let input = format!("short\r\n{}\r\nnext\n\nx{}\n", "y".repeat(100), "z".repeat(9));
        let lines = Records::new(BufReader::with_capacity(7, input.as_bytes()), Split::Lines, 10);
        let lines: Vec<(u64, Result<Vec<u8>, String>)> = lines.collect();
        assert_eq!(lines.len(), 5, "{lines:?}");
        assert_eq!(lines[0], (1, Ok(b"short".to_vec())));
        assert_eq!(lines[1], (2, Err("line 2 is longer than 10 bytes, the most sentir reads of a line".to_owned())));
        assert_eq!(lines[2], (3, Ok(b"next".to_vec())));
        assert_eq!(lines[3], (4, Ok(Vec::new())), "a blank line is a line");
        assert_eq!(lines[4], (5, Ok(b"xzzzzzzzzz".to_vec())), "exactly the cap");
        let rows = split(b"a\n\"long\nquoted\nfield\",1\nb\n", CSV, 12);
        assert_eq!(
            rows[1],
            (2, Err("the row from line 2 is longer than 12 bytes, the most sentir reads of a row".into()))
        );
        assert_eq!(rows[2], (5, Ok("b".to_owned())));
    }

    #[test]
    fn keep_never_holds_more_than_the_limit() {
        let mut kept = Some(Vec::new());
        for _ in 0..9 {
            keep(&mut kept, b"abc", 30);
            assert!(kept.as_ref().is_some_and(|k| k.capacity() <= 30));
        }
        keep(&mut kept, b"abcd", 30);
        assert_eq!(kept, None);
    }
}
