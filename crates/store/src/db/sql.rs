//! The macros and helpers every query of the store is written with.

/// Runs the same query text against whichever engine a transaction is on.
/// `$c` is bound to that engine's connection; the body is compiled once per
/// engine, so both drivers type-check it. Database errors are classified
/// (unique violation → `Conflict`).
macro_rules! run {
    ($tx:expr, |$c:ident| $body:expr) => {
        match $tx {
            $crate::db::Tx::Sqlite(t) => {
                let $c = &mut **t;
                $body.map_err($crate::error::classify)
            }
            $crate::db::Tx::Postgres(t) => {
                let $c = &mut **t;
                $body.map_err($crate::error::classify)
            }
        }
    };
}
pub(crate) use run;

/// Like [`run!`] for statements: yields the number of rows affected.
macro_rules! exec {
    ($tx:expr, |$c:ident| $body:expr) => {
        match $tx {
            $crate::db::Tx::Sqlite(t) => {
                let $c = &mut **t;
                $body
                    .map(|r| r.rows_affected())
                    .map_err($crate::error::classify)
            }
            $crate::db::Tx::Postgres(t) => {
                let $c = &mut **t;
                $body
                    .map(|r| r.rows_affected())
                    .map_err($crate::error::classify)
            }
        }
    };
}
pub(crate) use exec;

/// The `VALUES` list of a multi-row statement: `n` rows of `width`
/// parameters each, numbered `$1`, `$2`, … row after row; `row` lays out one
/// row from its parameters' placeholders (literals and repeats allowed).
pub(crate) fn values_rows(n: usize, width: usize, row: impl Fn(&[String]) -> String) -> String {
    (0..n)
        .map(|i| {
            let params: Vec<String> = (1..=width).map(|j| format!("${}", i * width + j)).collect();
            row(&params)
        })
        .collect::<Vec<_>>()
        .join(", ")
}
