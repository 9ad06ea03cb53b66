//! Placeholder lists for statements over many rows or ids, written once
//! for both engines (`$n` numbering works on SQLite and PostgreSQL alike).

/// Parameters per statement over many rows or ids. SQLite finds each
/// `$n` in a list of the statement's parameter names, once when it parses
/// the statement and again when sqlx binds it, so a statement costs the
/// square of its parameters: a 1,000-row event insert (10,000 parameters)
/// took 130 ms, twenty of 50 rows take about 10 ms together. A few hundred
/// keeps that small beside the rows' own cost, on both engines.
pub(crate) const PARAMS_PER_STATEMENT: usize = 500;

/// Rows of `width` parameters each per statement (ids in a list: 1).
pub(crate) const fn rows_per_statement(width: usize) -> usize {
    PARAMS_PER_STATEMENT / width
}

/// `n` rows of `width` placeholders each, numbered from `$first`:
/// `($3, $4), ($5, $6)`, with shared placeholders (such as `$1`) laid out
/// by `row` around them.
pub(crate) fn values(n: usize, width: usize, first: usize, row: impl Fn(&str) -> String) -> String {
    (0..n)
        .map(|i| {
            let params: Vec<String> = (0..width)
                .map(|j| format!("${}", first + i * width + j))
                .collect();
            row(&params.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// `$first, $first+1, …` for an `IN` list of `n` (`NULL` when `n` is 0,
/// which matches nothing).
pub(crate) fn list(n: usize, first: usize) -> String {
    if n == 0 {
        return "NULL".to_owned();
    }
    (first..first + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_number_on_from_the_shared_ones() {
        assert_eq!(
            values(2, 2, 3, |p| format!("($1, {p})")),
            "($1, $3, $4), ($1, $5, $6)"
        );
        assert_eq!(list(3, 3), "$3, $4, $5");
        assert_eq!(list(0, 3), "NULL");
    }
}
