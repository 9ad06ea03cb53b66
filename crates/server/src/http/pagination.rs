//! Cursor pagination for list endpoints: `?limit=50&cursor=…` in, and
//! `{"items": [...], "next_cursor": "…"}` out (`null` on the last page).

use crate::error::{AppError, AppResult};
use serde::{Deserialize, Serialize};
use store::Page;
use store::page::PageRequest;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Items per page, 1 to 200 (default 50).
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

impl PageQuery {
    pub fn request(&self) -> AppResult<PageRequest> {
        let after = match self.cursor.as_deref().filter(|c| !c.is_empty()) {
            Some(c) => Some(
                Uuid::parse_str(c)
                    .map_err(|_| AppError::validation("cursor", "not a cursor from this API"))?,
            ),
            None => None,
        };
        Ok(PageRequest::new(after, self.limit.unwrap_or(50)))
    }
}

/// One page of a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct Paged<T> {
    pub items: Vec<T>,
    /// Pass as `cursor` to get the next page; `null` when this is the last.
    pub next_cursor: Option<String>,
}

impl<T> Paged<T> {
    pub fn from_page<S>(page: Page<S>, f: impl Fn(S) -> T) -> Self {
        Paged {
            items: page.items.into_iter().map(f).collect(),
            next_cursor: page.next.map(|u| u.to_string()),
        }
    }
}
