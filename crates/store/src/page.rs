//! Cursor pagination. Lists are ordered newest first by id (UUIDv7, so by
//! creation time); the cursor is the last id of the previous page.

use uuid::Uuid;

/// One page of a list and the cursor for the next, if there is more.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<Uuid>,
}

/// Where a page starts and how long it is.
#[derive(Debug, Clone, Copy)]
pub struct PageRequest {
    pub after: Option<Uuid>,
    pub limit: u32,
}

impl PageRequest {
    pub const MAX_LIMIT: u32 = 200;

    pub fn new(after: Option<Uuid>, limit: u32) -> Self {
        Self {
            after,
            limit: limit.clamp(1, Self::MAX_LIMIT),
        }
    }

    /// The SQL `LIMIT`: one more than asked, to learn whether a next page exists.
    pub(crate) fn fetch_limit(&self) -> i64 {
        i64::from(self.limit) + 1
    }

    pub(crate) fn finish<T>(&self, mut rows: Vec<T>, id: impl Fn(&T) -> Uuid) -> Page<T> {
        let limit = self.limit as usize;
        let next = if rows.len() > limit {
            rows.truncate(limit);
            rows.last().map(id)
        } else {
            None
        };
        Page { items: rows, next }
    }
}

/// A `LIKE … ESCAPE '\'` pattern matching text that contains `needle`
/// (lower-cased) literally: `%`, `_` and `\` in it match only themselves.
pub(crate) fn contains_pattern(needle: &str) -> String {
    let mut pattern = String::with_capacity(needle.len() + 2);
    pattern.push('%');
    for ch in needle.to_lowercase().chars() {
        if matches!(ch, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(ch);
    }
    pattern.push('%');
    pattern
}
