//! Cursor pagination for list endpoints: `?limit=50&cursor=…` in, and
//! `{"items": [...], "next_cursor": "…"}` out (`null` on the last page).
//! A `limit` outside 1 to 200 or a cursor this API did not hand out is
//! refused with `422 validation_failed`, as the document says.

use crate::error::{AppError, AppResult};
use serde::{Deserialize, Serialize};
use store::Page;
use store::page::PageRequest;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// Items per page when `limit` is left out.
pub const DEFAULT_LIMIT: u32 = 50;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Items per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page (empty or absent: the first).
    #[param(
        pattern = r"^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})?$"
    )]
    pub cursor: Option<String>,
}

impl PageQuery {
    pub fn request(&self) -> AppResult<PageRequest> {
        let limit = page_limit(self.limit)?;
        let after = match self.cursor.as_deref().filter(|c| !c.is_empty()) {
            // Only the hyphenated form this API hands out.
            Some(c) if c.len() == 36 => Some(Uuid::parse_str(c).map_err(|_| bad_cursor())?),
            Some(_) => return Err(bad_cursor()),
            None => None,
        };
        Ok(PageRequest::new(after, limit))
    }
}

/// `limit` checked against 1 to [`PageRequest::MAX_LIMIT`].
pub fn page_limit(limit: Option<u32>) -> AppResult<u32> {
    match limit {
        None => Ok(DEFAULT_LIMIT),
        Some(n) if (1..=PageRequest::MAX_LIMIT).contains(&n) => Ok(n),
        Some(_) => Err(AppError::validation(
            "limit",
            format!("must be 1 to {}", PageRequest::MAX_LIMIT),
        )),
    }
}

/// The answer to a cursor this API did not hand out.
pub fn bad_cursor() -> AppError {
    AppError::validation("cursor", "not a cursor from this API")
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_outside_the_documented_range_are_refused() {
        assert_eq!(page_limit(None).unwrap(), DEFAULT_LIMIT);
        assert_eq!(page_limit(Some(1)).unwrap(), 1);
        assert_eq!(page_limit(Some(200)).unwrap(), 200);
        for bad in [0, 201, 2_147_483_648] {
            assert_eq!(
                page_limit(Some(bad)).unwrap_err().code(),
                "validation_failed"
            );
        }
    }

    #[test]
    fn cursors_are_the_hyphenated_ids_we_hand_out() {
        let id = Uuid::now_v7();
        let q = |c: &str| PageQuery {
            limit: None,
            cursor: Some(c.to_owned()),
        };
        assert_eq!(q(&id.to_string()).request().unwrap().after, Some(id));
        assert_eq!(q("").request().unwrap().after, None);
        assert!(q(&id.simple().to_string()).request().is_err());
        assert!(q("garbage").request().is_err());
    }
}
