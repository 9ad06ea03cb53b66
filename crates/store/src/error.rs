use std::fmt;

/// What can go wrong in the store. A database error is never silently
/// turned into "not found".
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A unique key was violated; carries the constraint or column at fault
    /// when the engine names it.
    #[error("conflict: {0}")]
    Conflict(String),
    /// A stored value could not be understood (a bug or a hand-edited row).
    #[error("corrupt row: {0}")]
    Corrupt(String),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

pub type StoreResult<T> = Result<T, StoreError>;

impl StoreError {
    pub(crate) fn corrupt(what: impl fmt::Display) -> Self {
        StoreError::Corrupt(what.to_string())
    }
}

/// Maps unique violations to [`StoreError::Conflict`] and keeps the rest.
pub(crate) fn classify(err: sqlx::Error) -> StoreError {
    if let Some(db) = err.as_database_error()
        && db.is_unique_violation()
    {
        let what = db
            .constraint()
            .map(str::to_owned)
            .unwrap_or_else(|| db.message().to_owned());
        return StoreError::Conflict(what);
    }
    if matches!(err, sqlx::Error::RowNotFound) {
        return StoreError::NotFound;
    }
    StoreError::Database(err)
}

/// `Option` → `NotFound`, for lookups where absence is an error.
pub(crate) trait OrNotFound<T> {
    fn or_not_found(self) -> StoreResult<T>;
}

impl<T> OrNotFound<T> for Option<T> {
    fn or_not_found(self) -> StoreResult<T> {
        self.ok_or(StoreError::NotFound)
    }
}
