//! One page of a filtered log on a dashboard page (Settings → Activity,
//! Automations → Runs): the items, the link to the next (older) page with
//! the same filters, and a refusal the user can fix shown on the page.

use crate::dashboard::settings::inline;
use crate::error::AppResult;
use crate::http::pagination::PageQuery;
use std::future::Future;
use store::page::{Page, PageRequest};

/// Items a log page shows.
const PER_PAGE: u32 = 50;

/// What a log page shows.
#[derive(Debug, Clone)]
pub struct LogPage<T> {
    pub items: Vec<T>,
    /// The query string of the next page, if there is one.
    pub older: Option<String>,
    /// Why nothing is listed (a filter that does not read), if so.
    pub error: Option<String>,
}

/// A query string of the non-empty pairs.
pub fn query(pairs: &[(&str, &str)]) -> String {
    let mut s = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs.iter().filter(|(_, v)| !v.is_empty()) {
        s.append_pair(k, v);
    }
    s.finish()
}

/// Lists the page at `cursor` with `list`, by `filter` (what the page's
/// query read as); the next page's link keeps `filters`. A bad filter or
/// cursor, or a refusal of `list` the page can explain, becomes `error`
/// with no items, not an error page.
pub async fn log_page<F, T, Fut>(
    filter: AppResult<F>,
    cursor: &str,
    filters: &[(&str, &str)],
    list: impl FnOnce(F, PageRequest) -> Fut,
) -> AppResult<LogPage<T>>
where
    Fut: Future<Output = AppResult<Page<T>>>,
{
    let request = PageQuery {
        limit: Some(PER_PAGE),
        cursor: Some(cursor.to_owned()),
    }
    .request();
    let found = match filter.and_then(|f| request.map(|p| (f, p))) {
        Ok((f, p)) => list(f, p).await,
        Err(e) => Err(e),
    };
    let (items, next, error) = match found {
        Ok(f) => (f.items, f.next, None),
        Err(e) => match inline(&e) {
            Some(msg) => (Vec::new(), None, Some(msg)),
            None => return Err(e),
        },
    };
    let older = next.map(|n| {
        let cursor = n.to_string();
        let mut pairs = filters.to_vec();
        pairs.push(("cursor", &cursor));
        query(&pairs)
    });
    Ok(LogPage {
        items,
        older,
        error,
    })
}
