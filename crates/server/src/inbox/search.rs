//! Full-text search over a tenant's messages (docs/DESIGN.md, "CRM:
//! search"). Words are letters and digits; each matches as a prefix, so
//! "oat" finds "Do you have oat milk?" and "oa" does too. Contacts are
//! found by [`crate::inbox::contacts::list_contacts`]'s search.

use crate::auth::TenantCtx;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use store::inbox::{MessageHit, search_words};
use store::page::{Page, PageRequest};

/// The longest search accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 200;

/// Messages with every word of `query`, newest first. A query with no
/// word in it (only punctuation) is refused with `validation_failed`.
pub async fn search_messages(
    state: &AppState,
    ctx: &TenantCtx,
    query: &str,
    page: PageRequest,
) -> AppResult<Page<MessageHit>> {
    let words = words_of(query)?;
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let hits = tx.search_messages(&words, page).await?;
    tx.commit().await?;
    Ok(hits)
}

/// The words of a search, or why there are none.
pub fn words_of(query: &str) -> AppResult<Vec<String>> {
    if query.chars().count() > MAX_QUERY_CHARS {
        return Err(AppError::validation("q", "at most 200 characters"));
    }
    let words = search_words(query);
    if words.is_empty() {
        return Err(AppError::validation(
            "q",
            "at least one word (letters or digits)",
        ));
    }
    Ok(words)
}
