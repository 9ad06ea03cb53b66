//! The uploaded file: read once when it arrives (header, separator, rows),
//! kept until the import ends in parts of [`PART_ROWS`] rows, and read
//! back one part at a time by the job. Where the parts live is behind
//! [`store_file`] and [`read_part`] alone: today the database (it survives
//! a restart and every node sees it, on both engines); object storage
//! (issue 24) replaces these two functions.

use super::csv::{self, Records};
use crate::error::{AppError, AppResult};
use domain::ContactImportId;
use store::{StoreResult, TenantTx};

/// Rows per part: the job writes one part per transaction.
pub const PART_ROWS: i64 = 1000;
/// The largest file accepted.
pub const MAX_FILE_BYTES: usize = 64 * 1024 * 1024;
/// The most columns a file may have.
pub const MAX_COLUMNS: usize = 200;

/// A file read once: its header, separator and rows, ready to store.
#[derive(Debug, Clone)]
pub struct SplitFile {
    pub header: Vec<String>,
    pub delimiter: char,
    /// Data rows (blank lines aside).
    pub rows: i64,
    /// Each part's row count and text.
    pub parts: Vec<(i64, String)>,
}

/// Reads an uploaded file: the first non-blank row is the header; blank
/// rows are skipped; every row keeps its number in the file (the header
/// is row 1, blank lines counted) for the rejected-rows report.
pub fn split(bytes: &[u8]) -> AppResult<SplitFile> {
    let text = csv::decode(bytes);
    let delimiter = csv::detect_delimiter(&text);
    let unclosed = |e: csv::Unclosed| {
        AppError::validation(
            "file",
            format!(
                "row {}: a quoted cell never ends (a \" is missing)",
                e.record
            ),
        )
    };
    let mut records = Records::new(&text, delimiter);
    let header: Vec<String> = match records.next() {
        Some(r) => r.map_err(unclosed)?.1,
        None => return Err(AppError::validation("file", "the file is empty")),
    }
    .into_iter()
    .map(|h| h.trim().to_owned())
    .collect();
    if header.len() > MAX_COLUMNS {
        return Err(AppError::validation(
            "file",
            format!(
                "at most {MAX_COLUMNS} columns; the header has {}",
                header.len()
            ),
        ));
    }
    let mut parts = Vec::new();
    let (mut part, mut in_part, mut rows) = (String::new(), 0i64, 0i64);
    for record in records {
        let (number, cells) = record.map_err(unclosed)?;
        let number = number.to_string();
        csv::write_record(
            &mut part,
            std::iter::once(number.as_str()).chain(cells.iter().map(String::as_str)),
            ',',
        );
        in_part += 1;
        rows += 1;
        if in_part == PART_ROWS {
            parts.push((in_part, std::mem::take(&mut part)));
            in_part = 0;
        }
    }
    if in_part > 0 {
        parts.push((in_part, part));
    }
    if rows == 0 {
        return Err(AppError::validation(
            "file",
            "the file has no rows below its header row",
        ));
    }
    Ok(SplitFile {
        header,
        delimiter,
        rows,
        parts,
    })
}

/// Keeps `file`'s parts for import `id`, in `tx`.
pub async fn store_file(
    tx: &mut TenantTx,
    id: ContactImportId,
    file: &SplitFile,
) -> StoreResult<()> {
    for (i, (rows, text)) in file.parts.iter().enumerate() {
        tx.insert_contact_import_part(id, i as i64, *rows, text.as_bytes())
            .await?;
    }
    Ok(())
}

/// One row of a part: its number in the file and its cells.
pub type NumberedRow = (i64, Vec<String>);

/// Part `part` of import `id`'s file: how many rows it holds, and each
/// row (`NotFound` if the file has no such part).
pub async fn read_part(
    tx: &mut TenantTx,
    id: ContactImportId,
    part: i64,
) -> StoreResult<(i64, Vec<NumberedRow>)> {
    let (count, data) = tx.find_contact_import_part(id, part).await?;
    let text = String::from_utf8_lossy(&data);
    let rows = Records::new(&text, ',')
        .filter_map(Result::ok)
        .filter_map(|(_, mut cells)| {
            let number = cells.first()?.parse().ok()?;
            cells.remove(0);
            Some((number, cells))
        })
        .collect();
    Ok((count, rows))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_splits_into_numbered_parts() {
        let mut text = String::from("\u{feff}Phone;Name\n");
        for i in 0..2500 {
            if i == 10 {
                text.push_str(";\n");
            }
            text.push_str(&format!("+4479{i:08};\"Ann; {i}\"\n"));
        }
        let f = split(text.as_bytes()).unwrap();
        assert_eq!(f.header, vec!["Phone", "Name"]);
        assert_eq!(f.delimiter, ';');
        assert_eq!(f.rows, 2500);
        let counts: Vec<i64> = f.parts.iter().map(|p| p.0).collect();
        assert_eq!(counts, vec![1000, 1000, 500]);
        let first: Vec<NumberedRow> = Records::new(&f.parts[0].1, ',')
            .map(|r| {
                let mut c = r.unwrap().1;
                (c.remove(0).parse().unwrap(), c)
            })
            .collect();
        assert_eq!(first[0], (2, vec!["+447900000000".into(), "Ann; 0".into()]));
        // The blank row (row 12) is skipped but still counted.
        assert_eq!(first[10].0, 13);
    }

    #[test]
    fn empty_and_broken_files_are_refused() {
        for bad in ["", "\n\n", "phone,name\n", "phone\n\"+44"] {
            assert!(split(bad.as_bytes()).is_err(), "{bad:?}");
        }
    }
}
